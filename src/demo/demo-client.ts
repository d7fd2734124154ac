/** The demo drives the gateway as a user would: GraphQL over HTTP with a bearer token. */
export class DemoClient {
  constructor(
    private readonly graphqlUrl: string,
    private readonly token: string,
  ) {}

  /** Runs one operation; any GraphQL error fails the demo with the API's words. */
  async run<R>(query: string, variables: Record<string, unknown> = {}): Promise<R> {
    const res = await fetch(this.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await res.json()) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
    if (answer.errors?.length) {
      const first = answer.errors[0];
      throw new Error(`${first.message} (${first.extensions?.code ?? 'ERROR'}) in ${query.trim().split(/[({]/)[0]}`);
    }
    return answer.data as R;
  }
}
