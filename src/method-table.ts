import type { MethodInfo } from './core/method-info.js';
import { METHODS } from './methods.js';

/**
 * The README's method table, generated from the registry so it never drifts from the code: one
 * row per entry, local and global, with its scope.
 */
export function methodTable(methods: readonly MethodInfo[] = METHODS): string {
  const rows = methods.map((m) => {
    const options = m.options.map((o) => `\`${o.name}\``).join(', ') || '—';
    const layer = m.layer === 'none' ? '—' : m.layer;
    return `| \`${m.id}\` | ${m.title} | ${m.family} | ${m.scope} | ${m.needsGradients ? 'yes' : 'no'} | ${layer} | ${options} | ${m.paper} |`;
  });
  return ['| id | method | family | scope | gradients | layer | options | paper |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}
