import { METHODS } from './methods.js';

/** The README's method table, generated from the registry so it never drifts from the code. */
export function methodTable(): string {
  const rows = METHODS.map((m) => {
    const options = m.options.map((o) => `\`${o.name}\``).join(', ') || '—';
    const layer = m.layer === 'none' ? '—' : m.layer;
    return `| \`${m.id}\` | ${m.title} | ${m.family} | ${m.needsGradients ? 'yes' : 'no'} | ${layer} | ${options} | ${m.paper} |`;
  });
  return ['| id | method | family | gradients | layer | options | paper |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}
