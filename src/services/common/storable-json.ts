const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A JSON value PostgreSQL's jsonb can store: NUL and lone surrogates, which JSON allows and jsonb refuses,
 * become U+FFFD, in keys and values at any depth. For what external systems send (answers, callbacks):
 * kept as received otherwise, and one odd character cannot make a whole message unstorable.
 */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\uFFFD');
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableJson(k) as string, storableJson(v)]));
  }
  return value;
}

/** How deeply arrays and objects nest in a parsed JSON value; walked without recursion, so any depth is safe. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}
