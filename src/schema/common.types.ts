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

// Fields `declare`d, as DomainOrderInput's (one per node of a tree).
@InputType()
export class CharacteristicInput {
  @Field()
  declare name: string;

  @Field()
  declare value: string;

  @Field(() => String, { nullable: true })
  declare valueType?: string | null;
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

// Fields `declare`d, as DomainOrderInput's (one per node of a tree).
@InputType()
export class SpecificationRefInput {
  @Field()
  declare id: string;

  @Field(() => String, { nullable: true })
  declare name?: string | null;

  @Field(() => String, { nullable: true })
  declare version?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}
