/** A method's options as a form generated from its registry option specs (type → input, enum → select, default as placeholder). */
import type { CatalogueEntry } from './protocol.js';
import { HIDDEN_OPTIONS } from './option-values.js';

export type Fields = Record<string, string | boolean>;

export function OptionForm(props: { method: CatalogueEntry; fields: Fields; layers?: readonly string[]; onChange: (fields: Fields) => void; idPrefix?: string }) {
  const { method, fields } = props;
  const set = (name: string, value: string | boolean): void => props.onChange({ ...fields, [name]: value });
  const specs = method.options.filter((o) => !HIDDEN_OPTIONS.has(o.name));
  return (
    <fieldset class="option-form" data-method={method.id}>
      <legend title={method.summary}>{method.title}</legend>
      {method.layer !== 'none' && props.layers && (
        <label>layer{method.layer === 'required' ? ' (required)' : ''}
          <select name="layer" value={String(fields.layer ?? '')} onChange={(e) => set('layer', (e.target as HTMLSelectElement).value)}>
            <option value="">{method.layer === 'required' ? 'choose…' : 'input'}</option>
            {props.layers.map((l) => <option value={l}>{l}</option>)}
          </select>
        </label>
      )}
      {specs.map((o) => {
        const id = `${props.idPrefix ?? ''}${method.id}-${o.name}`;
        const value = fields[o.name];
        if (o.type === 'boolean') {
          return <label title={o.doc}><input id={id} name={o.name} type="checkbox" checked={value === undefined ? o.default === true : value === true} onChange={(e) => set(o.name, (e.target as HTMLInputElement).checked)} /> {o.name}</label>;
        }
        if (o.type === 'enum' && o.values) {
          return (
            <label title={o.doc}>{o.name}
              <select id={id} name={o.name} value={String(value ?? o.default ?? '')} onChange={(e) => set(o.name, (e.target as HTMLSelectElement).value)}>
                {o.default === undefined && <option value="">default</option>}
                {o.values.map((v) => <option value={v}>{v}</option>)}
              </select>
            </label>
          );
        }
        const common = {
          id, name: o.name, placeholder: o.default === undefined ? 'default' : String(o.default), value: typeof value === 'string' ? value : '',
          onInput: (e: Event) => set(o.name, (e.target as HTMLInputElement).value),
        };
        return (
          <label title={o.doc}>{o.name}
            {o.type === 'number' || o.type === 'integer' ? <input {...common} type="number" step={o.type === 'integer' ? '1' : 'any'} /> : <input {...common} type="text" />}
          </label>
        );
      })}
    </fieldset>
  );
}
