import { randomBytes } from 'node:crypto';
import { OutboundAuthType, TmfApi } from '../../../src/entities/enums';
import { ExternalSystemEntity } from '../../../src/entities/external-system.entity';
import { RequestContext } from '../../../src/services/context/request-context';
import { ExternalSystemService, type OutboundAuthValues } from '../../../src/services/external-system/external-system.service';
import { rotateSecrets, WrongKeyError } from '../../../src/services/secrets/key-rotation';
import { SecretBox } from '../../../src/services/secrets/secret-box';
import { openTestDatabase, type TestDatabase } from '../../support/database';

const AUTHS: OutboundAuthValues[] = [
  { type: OutboundAuthType.BASIC, username: 'gateway', password: 'pw-Very-Secret-1f9c2b' },
  { type: OutboundAuthType.BEARER, token: 'bearer-Very-Secret-77ad01' },
  {
    type: OutboundAuthType.OAUTH2_CLIENT_CREDENTIALS,
    tokenUrl: 'https://idp.example.net/token',
    clientId: 'sg',
    clientSecret: 'oauth-Very-Secret-c0ffee',
    scope: 'orders',
  },
];

describe('rotateSecrets', () => {
  let db: TestDatabase;
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);
  const systemsWith = (key: Buffer) => new ExternalSystemService(new SecretBox(key), { allowPrivateNetworks: true });
  const ctx = () => new RequestContext(db.dataSource, null);
  const sealed = async () =>
    db.dataSource.query<{ id: string; auth_secret: string | null }[]>(
      'SELECT id, auth_secret, updated_at FROM external_system ORDER BY id',
    );

  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());
  beforeEach(() => db.dataSource.query('DELETE FROM external_system'));

  async function createSystems(key: Buffer): Promise<ExternalSystemEntity[]> {
    const service = systemsWith(key);
    const created: ExternalSystemEntity[] = [];
    for (const [i, auth] of [...AUTHS, { type: OutboundAuthType.NONE }].entries()) {
      created.push(
        await service.create(ctx(), {
          name: `system ${i} ${randomBytes(3).toString('hex')}`,
          api: TmfApi.SERVICE_ORDERING_TMF641,
          baseUrl: 'https://tmf.example.net/v4',
          auth,
        }),
      );
    }
    return created;
  }

  it('re-seals every stored secret with the new key, which then opens them as they were', async () => {
    const systems = await createSystems(keyA);
    const before = await sealed();
    expect(await rotateSecrets(db.dataSource, keyA, keyB)).toBe(3);
    const after = await sealed();
    expect(after.map((r) => r.auth_secret === null)).toEqual(before.map((r) => r.auth_secret === null));
    for (const [i, row] of after.entries()) if (row.auth_secret) expect(row.auth_secret).not.toBe(before[i].auth_secret);
    const withB = systemsWith(keyB);
    const withA = systemsWith(keyA);
    for (const [i, auth] of AUTHS.entries()) {
      const entity = await db.dataSource.manager.findOneByOrFail(ExternalSystemEntity, { id: systems[i].id });
      const { type: _type, ...credentials } = auth;
      expect(withB.credentials(entity)).toEqual(credentials);
      expect(() => withA.credentials(entity)).toThrow();
    }
  });

  it('with a wrong old key changes nothing and says so', async () => {
    await createSystems(keyA);
    const before = await sealed();
    const err = await rotateSecrets(db.dataSource, randomBytes(32), keyB).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongKeyError);
    expect((err as Error).message).toBe(
      'The old key opens none of the 3 stored secret(s): it is not the key they were sealed with. Nothing was changed.',
    );
    expect(await sealed()).toEqual(before);
  });

  it('when some secrets were sealed with another key, changes none of them', async () => {
    await createSystems(keyA);
    await systemsWith(keyB).create(ctx(), {
      name: 'sealed with B',
      api: TmfApi.SERVICE_ORDERING_TMF641,
      baseUrl: 'https://b.example.net',
      auth: AUTHS[1],
    });
    const before = await sealed();
    const err = await rotateSecrets(db.dataSource, keyA, randomBytes(32)).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'The old key opens 3 of the 4 stored secret(s); the other 1 were sealed with another key. Nothing was changed.',
    );
    expect(await sealed()).toEqual(before);
  });

  it('with no secret stored re-seals none', async () => {
    expect(await rotateSecrets(db.dataSource, keyA, keyB)).toBe(0);
  });
});
