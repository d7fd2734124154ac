import { ConfigError, loadConfig } from '../../src/config';
import { createDataSource, openDatabase } from '../../src/database/data-source';

/** The embedded database's PostgreSQL settings the gateway chooses (these run on PGlite with or without a server). */
describe('embedded database settings', () => {
  const sharedBuffersOf = async (env: Record<string, string>) => {
    const dataSource = await openDatabase(createDataSource(loadConfig(env), { inMemory: true }));
    try {
      const [{ shared_buffers }] = await dataSource.query<{ shared_buffers: string }[]>('SHOW shared_buffers');
      return shared_buffers;
    } finally {
      await dataSource.destroy();
    }
  };

  it('keeps 32 MB of shared buffers by default, a quarter of PostgreSQL’s, and EMBEDDED_SHARED_BUFFERS_MB changes it', async () => {
    expect(await sharedBuffersOf({})).toBe('32MB');
    expect(await sharedBuffersOf({ EMBEDDED_SHARED_BUFFERS_MB: '48' })).toBe('48MB');
  });

  it.each(['0', '1025', '16MB', '2.5', '-3'])('refuses EMBEDDED_SHARED_BUFFERS_MB=%s with a clear message', (value) => {
    expect(() => loadConfig({ EMBEDDED_SHARED_BUFFERS_MB: value })).toThrow(ConfigError);
    expect(() => loadConfig({ EMBEDDED_SHARED_BUFFERS_MB: value })).toThrow(
      `EMBEDDED_SHARED_BUFFERS_MB must be a whole number from 1 to 1024 (got "${value}")`,
    );
  });
});
