import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { projectRoot } from '../project-root';
import { buildGraphQLSchema } from './build-schema';

/** The SDL of the schema as built from the type-graphql classes, sorted so diffs stay readable. */
export async function emittedSdl(): Promise<string> {
  const schema = await buildGraphQLSchema(null);
  return `# Generated from the type-graphql classes by \`npm run schema\`; do not edit.\n${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (require.main === module) {
  void emittedSdl().then((sdl) => {
    writeFileSync(join(projectRoot(), 'src', 'schema', 'schema.graphql'), sdl);
    process.stdout.write('wrote src/schema/schema.graphql\n');
  });
}
