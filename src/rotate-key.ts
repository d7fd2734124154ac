import 'reflect-metadata';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, decodeKey, loadConfig } from './config';
import { createDataSource } from './database/data-source';
import { rotateSecrets, WrongKeyError } from './services/secrets/key-rotation';

/**
 * `ENCRYPTION_KEY=<old> NEW_ENCRYPTION_KEY=<new> npm run rotate-key`: re-seals every stored secret with
 * the new key, in one transaction, on DATABASE_URL or the embedded database under DATA_DIR (stop the
 * gateway first: the embedded database has one user at a time). Exit codes: 0 done, 1 nothing changed
 * (a wrong old key, pending migrations), 2 a missing or malformed setting.
 */
async function main(env: NodeJS.ProcessEnv): Promise<number> {
  const usage =
    'Usage: ENCRYPTION_KEY=<current key> NEW_ENCRYPTION_KEY=<new key> npm run rotate-key (with DATABASE_URL, or DATA_DIR for the embedded database)';
  const missing = ['ENCRYPTION_KEY', 'NEW_ENCRYPTION_KEY'].filter((name) => !env[name]);
  if (missing.length) return fail(2, `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set.\n${usage}`);
  const oldKey = decodeKey(env.ENCRYPTION_KEY!);
  const newKey = decodeKey(env.NEW_ENCRYPTION_KEY!);
  const malformed = [oldKey ? null : 'ENCRYPTION_KEY', newKey ? null : 'NEW_ENCRYPTION_KEY'].filter(Boolean);
  if (malformed.length) return fail(2, `${malformed.join(' and ')} must be 32 bytes, written as 64 hex digits or base64.`);
  if (oldKey!.equals(newKey!)) return fail(2, 'NEW_ENCRYPTION_KEY is the same key as ENCRYPTION_KEY; nothing to do.');
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(2, err.message);
    throw err;
  }
  const dataDir = resolve(config.dataDir);
  if (!config.databaseUrl && !existsSync(join(dataDir, 'pglite'))) {
    return fail(2, `There is no embedded database under DATA_DIR=${dataDir}; set DATA_DIR (or DATABASE_URL) to the gateway's.`);
  }
  const dataSource = createDataSource(config);
  await dataSource.initialize();
  try {
    if (await dataSource.showMigrations()) {
      return fail(
        1,
        'The database has migrations the gateway has not applied yet; start the gateway once (it applies them), stop it, and rotate then. Nothing was changed.',
      );
    }
    const count = await rotateSecrets(dataSource, oldKey!, newKey!);
    process.stdout.write(`Re-sealed ${count} stored secret(s) with NEW_ENCRYPTION_KEY.\n`);
  } catch (err) {
    if (err instanceof WrongKeyError) return fail(1, `ENCRYPTION_KEY is wrong. ${err.message}`);
    throw err;
  } finally {
    await dataSource.destroy();
  }
  if (!config.databaseUrl) updateKeyFile(join(dataDir, 'encryption.key'), oldKey!, newKey!);
  process.stdout.write('Start the gateway with ENCRYPTION_KEY set to the new key.\n');
  return 0;
}

/** The embedded database's own key file (used when ENCRYPTION_KEY is not set) follows the rotation. */
function updateKeyFile(file: string, oldKey: Buffer, newKey: Buffer): void {
  if (!existsSync(file)) return;
  const stored = decodeKey(readFileSync(file, 'utf8').trim());
  if (!stored?.equals(oldKey)) {
    if (!stored?.equals(newKey)) process.stdout.write(`${file} holds neither key; it was left as it is.\n`);
    return;
  }
  writeFileSync(`${file}.new`, newKey.toString('hex'), { mode: 0o600 });
  renameSync(`${file}.new`, file);
  process.stdout.write(`${file} now holds the new key.\n`);
}

function fail(code: number, message: string): number {
  process.stderr.write(`${message}\n`);
  return code;
}

main(process.env).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`rotate-key failed: ${err instanceof Error ? err.message : String(err)}\nNothing was changed.\n`);
    process.exit(1);
  },
);
