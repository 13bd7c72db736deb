"use client";
import { type FieldNode, type FormValues, chosenVariant, fieldLabel } from "../../_lib/spec-form";

type Props = { node: FieldNode; values: FormValues; errors: Record<string, string>; onChange: (path: string, value: string) => void; path?: string; name?: string };

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);
const idOf = (path: string) => `spec-${path.replace(/\./g, "-")}`;

/** The spec form, generated from the task type's schema (see _lib/spec-form.ts). */
export function SpecFields({ node, values, errors, onChange, path = "", name }: Props) {
  switch (node.kind) {
    case "const":
      // A value the type fixes (a codec, a thread count): shown, so the requester knows what the task will run with.
      return name ? (
        <Field path={path} label={fieldLabel(name)} hint="fixed by this task type" error={undefined}>
          <output id={idOf(path)}>{String(node.value)}</output>
        </Field>
      ) : null;
    case "object":
      return (
        <>
          {node.fields.map((f) => (
            <SpecFields key={f.name} node={f.node} values={values} errors={errors} onChange={onChange} path={join(path, f.name)} name={f.name} />
          ))}
        </>
      );
    case "union": {
      const dPath = join(path, node.discriminator);
      const variant = chosenVariant(node, values, path);
      const body = (
        <>
          <Field path={dPath} label={fieldLabel(node.discriminator)} error={errors[dPath]}>
            <select id={idOf(dPath)} value={String(variant.value)} onChange={(e) => onChange(dPath, e.target.value)}>
              {node.variants.map((v) => (
                <option key={String(v.value)} value={String(v.value)}>
                  {String(v.value)}
                </option>
              ))}
            </select>
          </Field>
          <SpecFields node={{ ...variant.node, fields: variant.node.fields.filter((f) => f.name !== node.discriminator) }} values={values} errors={errors} onChange={onChange} path={path} />
        </>
      );
      return name ? (
        <fieldset>
          <legend>{fieldLabel(name)}</legend>
          {body}
        </fieldset>
      ) : (
        body
      );
    }
    case "enum":
      return (
        <Field path={path} label={fieldLabel(name ?? path)} error={errors[path]}>
          <select id={idOf(path)} value={values[path] ?? ""} onChange={(e) => onChange(path, e.target.value)} aria-invalid={Boolean(errors[path])} aria-describedby={`${idOf(path)}-err`}>
            {node.options.map((o) => (
              <option key={String(o)} value={String(o)}>
                {String(o)}
              </option>
            ))}
          </select>
        </Field>
      );
    case "boolean":
      return (
        <Field path={path} label={fieldLabel(name ?? path)} error={errors[path]}>
          <select id={idOf(path)} value={values[path] ?? "false"} onChange={(e) => onChange(path, e.target.value)}>
            <option value="true">yes</option>
            <option value="false">no</option>
          </select>
        </Field>
      );
    case "integer":
    case "number": {
      const range = node.min !== undefined && node.max !== undefined ? `${node.min}–${node.max}` : node.min !== undefined ? `at least ${node.min}` : node.max !== undefined ? `at most ${node.max}` : "";
      return (
        <Field path={path} label={fieldLabel(name ?? path)} hint={range} error={errors[path]}>
          <input
            id={idOf(path)}
            inputMode={node.kind === "integer" ? "numeric" : "decimal"}
            value={values[path] ?? ""}
            onChange={(e) => onChange(path, e.target.value)}
            aria-invalid={Boolean(errors[path])}
            aria-describedby={`${idOf(path)}-err`}
            placeholder={node.default !== undefined ? String(node.default) : undefined}
          />
        </Field>
      );
    }
    case "string":
      return (
        <Field path={path} label={fieldLabel(name ?? path)} error={errors[path]}>
          <input id={idOf(path)} value={values[path] ?? ""} onChange={(e) => onChange(path, e.target.value)} aria-invalid={Boolean(errors[path])} aria-describedby={`${idOf(path)}-err`} />
        </Field>
      );
  }
}

function Field({ path, label, hint, error, children }: { path: string; label: string; hint?: string; error: string | undefined; children: React.ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={idOf(path)}>
        {label} {hint ? <span className="hint">({hint})</span> : null}
      </label>
      {children}
      <div id={`${idOf(path)}-err`} className="field-error" role={error ? "alert" : undefined}>
        {error}
      </div>
    </div>
  );
}
