import { Field, InputType, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true })
export class Characteristic {
  @Field()
  name: string;

  @Field()
  value: string;

  @Field(() => String, { nullable: true })
  valueType?: string | null;
}

@InputType()
export class CharacteristicInput {
  @Field()
  name: string;

  @Field()
  value: string;

  @Field(() => String, { nullable: true })
  valueType?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class SpecificationRef {
  @Field()
  id: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  version?: string | null;
}

@InputType()
export class SpecificationRefInput {
  @Field()
  id: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  version?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}
