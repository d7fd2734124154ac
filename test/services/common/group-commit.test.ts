import { GroupCommit, type Settled } from '../../../src/services/common/group-commit';

/** A run that records each batch and answers when released. */
function recorder<O>(answer: (item: string) => Settled<O>) {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  const run = (items: string[]) => {
    batches.push(items);
    return new Promise<Settled<O>[]>((resolve) => releases.push(() => resolve(items.map(answer))));
  };
  return { batches, run, releaseNext: () => releases.shift()!() };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('starts an item that arrives alone at once, and gathers the items that arrive meanwhile into one batch', async () => {
    const r = recorder((item) => ({ value: item.toUpperCase() }));
    const commit = new GroupCommit(r.run, { inFlight: 1, maxBatch: 10 });
    const first = commit.submit('a');
    await turn();
    expect(r.batches).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((x) => commit.submit(x));
    await turn();
    expect(r.batches).toEqual([['a']]);
    r.releaseNext();
    expect(await first).toBe('A');
    await turn();
    expect(r.batches).toEqual([['a'], ['b', 'c', 'd']]);
    r.releaseNext();
    expect(await Promise.all(later)).toEqual(['B', 'C', 'D']);
  });

  it('items submitted in the same turn of the event loop are one batch', async () => {
    const r = recorder((item) => ({ value: item }));
    const commit = new GroupCommit(r.run, { inFlight: 2, maxBatch: 10 });
    const all = ['a', 'b', 'c'].map((x) => commit.submit(x));
    await turn();
    expect(r.batches).toEqual([['a', 'b', 'c']]);
    r.releaseNext();
    expect(await Promise.all(all)).toEqual(['a', 'b', 'c']);
  });

  it('runs at most inFlight batches at once and at most maxBatch items in each', async () => {
    const r = recorder((item) => ({ value: item }));
    const commit = new GroupCommit(r.run, { inFlight: 2, maxBatch: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((x) => commit.submit(x));
    await turn();
    expect(r.batches).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    r.releaseNext();
    await turn();
    expect(r.batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    r.releaseNext();
    r.releaseNext();
    expect(await Promise.all(all)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('keeps items that share a key in separate batches, in the order they came', async () => {
    const r = recorder((item) => ({ value: item }));
    const keys = (item: string) => [item[0]];
    const commit = new GroupCommit(r.run, { inFlight: 1, maxBatch: 10, keys });
    const all = ['x1', 'y1', 'x2', 'z1', 'x3', 'y2'].map((x) => commit.submit(x));
    await turn();
    r.releaseNext();
    await turn();
    r.releaseNext();
    await turn();
    r.releaseNext();
    await Promise.all(all);
    expect(r.batches).toEqual([['x1', 'y1', 'z1'], ['x2', 'y2'], ['x3']]);
  });

  it('an item held back by one key holds back the later items that share its other keys', async () => {
    const r = recorder((item) => ({ value: item }));
    // "pq2" waits for "p1"; "q3" shares q with "pq2", so it must not overtake it.
    const keys = (item: string) => [...item.replace(/\d/g, '')];
    const commit = new GroupCommit(r.run, { inFlight: 1, maxBatch: 10, keys });
    const all = ['p1', 'pq2', 'q3', 'z4'].map((x) => commit.submit(x));
    for (let i = 0; i < 3; i++) {
      await turn();
      r.releaseNext();
    }
    await Promise.all(all);
    expect(r.batches).toEqual([['p1', 'z4'], ['pq2'], ['q3']]);
  });

  it('answers each item with its own value or error, and a value that is a promise when that one settles', async () => {
    let resolveLater!: (v: string) => void;
    const later = new Promise<string>((r) => (resolveLater = r));
    const commit = new GroupCommit<string, string>(
      (items) =>
        Promise.resolve(
          items.map((item): Settled<string> =>
            item === 'bad' ? { error: new Error(`refused ${item}`) } : item === 'slow' ? { value: later } : { value: item },
          ),
        ),
      { inFlight: 1, maxBatch: 10 },
    );
    const [ok, bad, slow] = ['ok', 'bad', 'slow'].map((x) => commit.submit(x));
    expect(await ok).toBe('ok');
    await expect(bad).rejects.toThrow('refused bad');
    // The batch is over (a new one starts at once) while the slow item's answer is still to come.
    expect(await commit.submit('next')).toBe('next');
    resolveLater('slow done');
    expect(await slow).toBe('slow done');
  });

  it('a batch that throws rejects each of its items with that error, and the next batch runs', async () => {
    let fail = true;
    const commit = new GroupCommit<string, string>(
      (items) => (fail ? Promise.reject(new Error('database gone')) : Promise.resolve(items.map((value) => ({ value })))),
      { inFlight: 1, maxBatch: 10 },
    );
    const failed = ['a', 'b'].map((x) => commit.submit(x));
    await expect(Promise.all(failed)).rejects.toThrow('database gone');
    await expect(failed[1]).rejects.toThrow('database gone');
    fail = false;
    expect(await commit.submit('c')).toBe('c');
  });
});
