import { Field, ObjectType } from 'type-graphql';
import { TmfApi } from './enums.types';
import { DateTime } from './scalars';

@ObjectType({ simpleResolvers: true, description: 'An Open API must be activated by an administrator before anything is sent with it.' })
export class OpenApi {
  @Field(() => TmfApi)
  api: TmfApi;

  @Field()
  active: boolean;

  @Field(() => DateTime, { nullable: true })
  activatedAt: Date | null;
}
