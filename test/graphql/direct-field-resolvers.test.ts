import { graphql, type GraphQLSchema } from 'graphql';
import {
  Arg,
  Authorized,
  buildSchema,
  Ctx,
  Field,
  FieldResolver,
  ID,
  ObjectType,
  Query,
  Resolver,
  Root,
  UseMiddleware,
  type AuthChecker,
  type MiddlewareFn,
} from 'type-graphql';
import { resolveFieldsDirectly } from '../../src/graphql/direct-field-resolvers';

interface Context {
  roles: string[];
  suffix: string;
}

@ObjectType({ simpleResolvers: true })
class Thing {
  @Field(() => ID)
  id!: string;
}

const calls: string[] = [];
const Global: MiddlewareFn = ({ info }, next) => {
  calls.push(`${info.parentType.name}.${info.fieldName}`);
  return next();
};
const Own: MiddlewareFn = (_, next) => {
  calls.push('own');
  return next();
};

@Resolver(() => Thing)
class ThingResolver {
  @Query(() => Thing)
  thing(): Thing {
    return { id: 't1' };
  }

  // A plain type for the root, as the app's entities: type-graphql converts a root typed with a class.
  @FieldResolver(() => String)
  label(@Root() thing: { id: string }, @Ctx() ctx: Context): string {
    return `${thing.id}${ctx.suffix}`;
  }

  @FieldResolver(() => String)
  greeting(@Root() thing: { id: string }, @Arg('name', () => String) name: string): string {
    return `${name} ${thing.id}`;
  }

  @Authorized('ADMIN')
  @FieldResolver(() => String)
  secret(): string {
    return 'hidden';
  }

  @UseMiddleware(Own)
  @FieldResolver(() => String)
  watched(): string {
    return 'seen';
  }
}

const authChecker: AuthChecker<Context> = ({ context }, roles) => roles.some((r) => context.roles.includes(r));

describe('field resolvers called directly', () => {
  let schema: GraphQLSchema;
  let changed: string[];
  beforeAll(async () => {
    const resolver = new ThingResolver();
    schema = await buildSchema({
      resolvers: [ThingResolver],
      authChecker,
      globalMiddlewares: [Global],
      validate: false,
      container: { get: () => resolver },
    });
    changed = resolveFieldsDirectly(schema, [ThingResolver], () => resolver);
  });
  beforeEach(() => calls.splice(0));

  const run = (source: string, roles: string[] = []) => graphql({ schema, source, contextValue: { roles, suffix: '!' } });

  it('only fields without arguments, roles or middlewares of their own skip the global middlewares', async () => {
    expect(changed).toEqual(['Thing.label']);
    const result = await run('{ thing { id label greeting(name: "hi") watched } }');
    expect(result).toEqual({ data: { thing: { id: 't1', label: 't1!', greeting: 'hi t1', watched: 'seen' } } });
    expect(calls.sort()).toEqual(['Query.thing', 'Thing.greeting', 'Thing.watched', 'own']);
  });

  it('keeps @Authorized on a field resolver', async () => {
    expect((await run('{ thing { secret } }')).errors?.map((e) => e.message)).toEqual([
      "Access denied! You don't have permission for this action!",
    ]);
    expect((await run('{ thing { secret } }', ['ADMIN'])).data).toEqual({ thing: { secret: 'hidden' } });
  });
});
