import { QueryFailedError } from 'typeorm';
import { isTransientConflict, retryingConflicts } from '../../../src/services/common/transient-conflict';

const failure = (code: string) => new QueryFailedError('UPDATE test_run SET …', [], Object.assign(new Error(`failed ${code}`), { code }));

describe('retryingConflicts', () => {
  it('runs a transaction PostgreSQL aborted for a deadlock or a serialization failure again, and returns its result', async () => {
    const codes = ['40P01', '40001'];
    let calls = 0;
    const heard: string[] = [];
    const result = await retryingConflicts(
      () => {
        calls++;
        const code = codes.shift();
        return code ? Promise.reject(failure(code)) : Promise.resolve('recorded');
      },
      { onRetry: (err, attempt) => heard.push(`${attempt}: ${(err as Error).message}`) },
    );
    expect([result, calls]).toEqual(['recorded', 3]);
    expect(heard).toEqual(['1: failed 40P01', '2: failed 40001']);
  });

  it('gives up after the tries it was given, with the last error', async () => {
    let calls = 0;
    const work = () => {
      calls++;
      return Promise.reject(failure('40P01'));
    };
    await expect(retryingConflicts(work, { tries: 2 })).rejects.toThrow('failed 40P01');
    expect(calls).toBe(2);
  });

  it('never runs again what failed for another reason (a unique violation, a bug)', async () => {
    for (const err of [failure('23505'), new Error('TestRunEntity has no column x')]) {
      let calls = 0;
      await expect(
        retryingConflicts(() => {
          calls++;
          return Promise.reject(err);
        }),
      ).rejects.toBe(err);
      expect(calls).toBe(1);
    }
  });

  it('knows a conflict by its SQLSTATE, wrapped by TypeORM or not', () => {
    expect([failure('40P01'), { code: '40001' }, failure('23505'), new Error('x'), null].map(isTransientConflict)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
