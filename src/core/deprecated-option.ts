/**
 * Old option names and values that keep working for one release. Each use prints one console
 * warning per process (per function and name), naming the new spelling; the result is unchanged.
 * The list of what was renamed is in src/core/README.md ("Deprecated names").
 */
const warned = new Set<string>();

/** Prints `message` once per process for `key` (a deprecation notice). */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`lumen: ${message}`);
}

/**
 * The value of option `name`, or of its deprecated old name `old` when only that is given (with a
 * one-time warning). Both given is resolved in favour of the new name.
 */
export function renamedOption<T>(options: object, name: string, old: string, fn: string): T | undefined {
  const o = options as Record<string, unknown>;
  if (o[name] !== undefined) return o[name] as T;
  if (o[old] === undefined) return undefined;
  warnOnce(`${fn}:${old}`, `${fn}: option '${old}' is deprecated and will be removed in the next release; use '${name}'`);
  return o[old] as T;
}

/**
 * `value` with a deprecated spelling replaced by its new one (`renames`: old → new), with a
 * one-time warning; other values unchanged.
 */
export function renamedValue<T extends string | number>(value: T | undefined, renames: Readonly<Record<string, T>>, option: string, fn: string): T | undefined {
  if (typeof value !== 'string' || !Object.hasOwn(renames, value)) return value;
  const to = renames[value];
  warnOnce(`${fn}:${option}=${value}`, `${fn}: ${option} '${value}' is deprecated and will be removed in the next release; use '${String(to)}'`);
  return to;
}
