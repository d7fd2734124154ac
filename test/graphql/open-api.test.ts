import { ActivateOpenApiDocument, DeactivateOpenApiDocument, OpenApisDocument } from '../__generated__/graphql';
import { Role } from '../../src/services/auth/roles';
import { code, startTestApp, type TestApp } from '../support/app';

describe('Open API activation', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('starts with both APIs inactive and lets an administrator switch them', async () => {
    expect((await app.ok(OpenApisDocument)).openApis).toEqual([
      { api: 'SERVICE_ORDERING_TMF641', active: false, activatedAt: null },
      { api: 'SERVICE_TEST_TMF653', active: false, activatedAt: null },
    ]);
    const before = Date.now();
    const { activateOpenApi } = await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_TEST_TMF653' });
    expect(activateOpenApi.active).toBe(true);
    expect(Date.parse(activateOpenApi.activatedAt!)).toBeGreaterThanOrEqual(before - 1000);
    const { deactivateOpenApi } = await app.ok(DeactivateOpenApiDocument, { api: 'SERVICE_TEST_TMF653' });
    expect(deactivateOpenApi).toEqual({ api: 'SERVICE_TEST_TMF653', active: false, activatedAt: null });
  });

  it('is for administrators only, and every query needs a token', async () => {
    const viewer = app.token([Role.VIEWER]);
    const denied = await app.gql(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' }, viewer);
    expect(code(denied)).toBe('FORBIDDEN');
    expect(denied.errors![0].message).toContain('ADMIN');
    expect((await app.ok(OpenApisDocument, undefined, viewer)).openApis).toHaveLength(2);
    expect(code(await app.gql(OpenApisDocument, undefined, null))).toBe('UNAUTHENTICATED');
    expect(code(await app.gql(OpenApisDocument, undefined, 'not-a-jwt'))).toBe('UNAUTHENTICATED');
  });
});
