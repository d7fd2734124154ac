import type { PGliteOptions } from '@electric-sql/pglite';
import { PGliteDriver } from 'typeorm-pglite';

/**
 * typeorm-pglite hands the one PGlite connection to every TypeORM query runner at once, so two
 * concurrent transactions would interleave their BEGIN/COMMIT on the same session and commit each
 * other's work. This pool hands the connection to one query runner at a time (a pool of size one),
 * which gives embedded mode the same transaction isolation as PostgreSQL.
 */
export function embeddedDriver(options: PGliteOptions): { Pool: new () => unknown } {
  const Base = new PGliteDriver(options).driver.Pool;
  type ConnectCallback = Parameters<InstanceType<typeof Base>['connect']>[0];

  class SerializedPool extends Base {
    private tail: Promise<void> = Promise.resolve();

    override connect(callback: ConnectCallback): Promise<void> {
      let free!: () => void;
      const turn = new Promise<void>((resolve) => (free = resolve));
      const previous = this.tail;
      this.tail = previous.then(() => turn);
      return previous.then(() =>
        super.connect((err, connection) => {
          let released = false;
          const release = () => {
            if (released) return;
            released = true;
            free();
          };
          if (err) release();
          callback(err, connection, release);
        }),
      );
    }
  }
  return { Pool: SerializedPool };
}
