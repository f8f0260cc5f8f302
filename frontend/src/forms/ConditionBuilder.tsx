/**
 * The visual condition builder: rules (field, operator, value) in and/or groups, written as
 * JsonLogic; a JsonLogic tab shows the rule raw for experts (and for rules the builder cannot show).
 */
import { useEffect, useId, useRef, useState } from "react";
import {
  OPERATORS,
  fromJsonLogic,
  newGroup,
  newRule,
  operatorInfo,
  textToValue,
  toJsonLogic,
  valueToText,
  type ConditionGroup,
  type ConditionNode,
  type ConditionRule,
  type Operator,
} from "./conditionLogic";
import type { ContextPath } from "./contextPaths";

export interface ConditionBuilderProps {
  /** The JsonLogic rule (undefined when there is none yet). */
  value: unknown;
  onChange: (value: unknown) => void;
  /** Paths offered for fields (from the run context). */
  paths?: ContextPath[];
  label?: string;
  id?: string;
  disabled?: boolean;
}

type Mode = "builder" | "json";

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function ConditionBuilder({ value, onChange, paths = [], label = "Condition", id, disabled }: ConditionBuilderProps) {
  const datalistId = useId();
  // The model is kept while it matches the value, so rule ids (and focus) survive each edit.
  const [model, setModel] = useState<ConditionGroup | null>(() => fromJsonLogic(value));
  const lastWritten = useRef<unknown>(value);
  const [mode, setMode] = useState<Mode>(() => (fromJsonLogic(value) ? "builder" : "json"));

  useEffect(() => {
    if (sameJson(value, lastWritten.current)) return;
    lastWritten.current = value;
    const parsed = fromJsonLogic(value);
    setModel(parsed);
    if (!parsed) setMode("json");
  }, [value]);

  const update = (next: ConditionGroup) => {
    setModel(next);
    const logic = toJsonLogic(next);
    lastWritten.current = logic;
    onChange(logic);
  };

  const representable = model !== null;

  return (
    <div className="condition-builder" role="group" aria-label={label} id={id}>
      <div className="segmented" role="tablist" aria-label={`${label} editor`}>
        <button
          type="button"
          role="tab"
          aria-selected={mode === "builder"}
          disabled={!representable && mode === "json"}
          onClick={() => setMode("builder")}
        >
          Builder
        </button>
        <button type="button" role="tab" aria-selected={mode === "json"} onClick={() => setMode("json")}>
          JsonLogic
        </button>
      </div>
      {mode === "builder" && model && (
        <>
          <GroupEditor
            group={model}
            root
            onChange={update}
            datalistId={datalistId}
            disabled={disabled}
          />
          <datalist id={datalistId}>
            {paths.map((path) => (
              <option key={path.path} value={path.path}>
                {path.preview}
              </option>
            ))}
          </datalist>
        </>
      )}
      {mode === "json" && (
        <RawJsonLogic
          value={value}
          disabled={disabled}
          label={`${label} as JsonLogic`}
          onChange={(logic) => {
            lastWritten.current = logic;
            setModel(fromJsonLogic(logic));
            onChange(logic);
          }}
          notRepresentable={!representable}
        />
      )}
    </div>
  );
}

function GroupEditor({
  group,
  root = false,
  onChange,
  onRemove,
  datalistId,
  disabled,
}: {
  group: ConditionGroup;
  root?: boolean;
  onChange: (group: ConditionGroup) => void;
  onRemove?: () => void;
  datalistId: string;
  disabled?: boolean;
}) {
  const setChild = (index: number, child: ConditionNode | null) => {
    const rules = child === null ? group.rules.filter((_, i) => i !== index) : group.rules.map((rule, i) => (i === index ? child : rule));
    onChange({ ...group, rules });
  };
  return (
    <div className={root ? "condition-group condition-root" : "condition-group"} role="group" aria-label={root ? "Rules" : "Rule group"}>
      <div className="condition-group-head">
        <label className="inline-field">
          <span>Match</span>
          <select
            aria-label="Match"
            value={group.combinator}
            disabled={disabled}
            onChange={(event) => onChange({ ...group, combinator: event.target.value as ConditionGroup["combinator"] })}
          >
            <option value="and">all of these</option>
            <option value="or">any of these</option>
          </select>
        </label>
        <label className="inline-check">
          <input type="checkbox" checked={group.not} disabled={disabled} onChange={(event) => onChange({ ...group, not: event.target.checked })} />
          <span>Negate</span>
        </label>
        {onRemove && (
          <button type="button" className="button ghost tiny danger" onClick={onRemove} disabled={disabled} aria-label="Remove group">
            Remove group
          </button>
        )}
      </div>
      {group.rules.length === 0 && <p className="muted small">No rules yet: add one to say when this step continues.</p>}
      <ol className="condition-rules">
        {group.rules.map((child, index) => (
          <li key={child.id}>
            {index > 0 && <span className="condition-joiner">{group.combinator === "and" ? "and" : "or"}</span>}
            {child.kind === "rule" ? (
              <RuleEditor rule={child} onChange={(rule) => setChild(index, rule)} onRemove={() => setChild(index, null)} datalistId={datalistId} disabled={disabled} position={index + 1} />
            ) : (
              <GroupEditor group={child} onChange={(next) => setChild(index, next)} onRemove={() => setChild(index, null)} datalistId={datalistId} disabled={disabled} />
            )}
          </li>
        ))}
      </ol>
      <div className="condition-actions">
        <button type="button" className="button secondary tiny" disabled={disabled} onClick={() => onChange({ ...group, rules: [...group.rules, newRule()] })}>
          Add rule
        </button>
        <button type="button" className="button ghost tiny" disabled={disabled} onClick={() => onChange({ ...group, implicit: false, rules: [...group.rules, newGroup()] })}>
          Add group
        </button>
      </div>
    </div>
  );
}

function RuleEditor({
  rule,
  onChange,
  onRemove,
  datalistId,
  disabled,
  position,
}: {
  rule: ConditionRule;
  onChange: (rule: ConditionRule) => void;
  onRemove: () => void;
  datalistId: string;
  disabled?: boolean;
  position: number;
}) {
  const info = operatorInfo(rule.operator);
  const [text, setText] = useState(() => valueToText(rule.value, info.list));
  const shown = useRef(rule.value);
  useEffect(() => {
    // Follow outside changes (undo) without rewriting what is being typed.
    if (!sameJson(shown.current, rule.value)) {
      shown.current = rule.value;
      setText(valueToText(rule.value, operatorInfo(rule.operator).list));
    }
  }, [rule.value, rule.operator]);

  const setOperator = (operator: Operator) => {
    const next = operatorInfo(operator);
    const value = next.takesValue ? textToValue(text, next.list) : "";
    shown.current = value;
    onChange({ ...rule, operator, value });
  };

  return (
    <div className="condition-rule" role="group" aria-label={`Rule ${position}`}>
      <input
        className="condition-field"
        aria-label="Field"
        placeholder="e.g. input.total"
        list={datalistId}
        value={rule.field}
        disabled={disabled}
        onChange={(event) => onChange({ ...rule, field: event.target.value.trim() })}
      />
      <select aria-label="Operator" value={rule.operator} disabled={disabled} onChange={(event) => setOperator(event.target.value as Operator)}>
        {OPERATORS.map((operator) => (
          <option key={operator.value} value={operator.value}>
            {operator.label}
          </option>
        ))}
      </select>
      {info.takesValue ? (
        <input
          className="condition-value"
          aria-label="Value"
          placeholder={info.list ? "a, b, c" : "value or {{ path }}"}
          title={info.list ? "Separate values with commas" : 'Numbers and true/false are read as such; quote them ("42") for text'}
          value={text}
          disabled={disabled}
          onChange={(event) => {
            setText(event.target.value);
            const value = textToValue(event.target.value, info.list);
            shown.current = value;
            onChange({ ...rule, value });
          }}
        />
      ) : (
        <span className="condition-value-none" />
      )}
      <button type="button" className="icon-button" aria-label="Remove rule" title="Remove rule" disabled={disabled} onClick={onRemove}>
        ×
      </button>
    </div>
  );
}

function RawJsonLogic({
  value,
  onChange,
  label,
  disabled,
  notRepresentable,
}: {
  value: unknown;
  onChange: (value: unknown) => void;
  label: string;
  disabled?: boolean;
  notRepresentable: boolean;
}) {
  const [text, setText] = useState(() => (value === undefined ? "" : JSON.stringify(value, null, 2)));
  const [error, setError] = useState<string | null>(null);
  const written = useRef<unknown>(value);
  useEffect(() => {
    if (!sameJson(value, written.current)) {
      written.current = value;
      setText(value === undefined ? "" : JSON.stringify(value, null, 2));
      setError(null);
    }
  }, [value]);
  const errorId = useId();
  return (
    <div className="raw-jsonlogic">
      {notRepresentable && (
        <p className="muted small">This condition uses operators the builder cannot show; edit it here as JsonLogic.</p>
      )}
      <textarea
        className="code-input"
        aria-label={label}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        rows={6}
        spellCheck={false}
        value={text}
        disabled={disabled}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value.trim() === "") {
            setError(null);
            written.current = undefined;
            onChange(undefined);
            return;
          }
          try {
            const parsed: unknown = JSON.parse(event.target.value);
            setError(null);
            written.current = parsed;
            onChange(parsed);
          } catch (reason) {
            setError(`Not valid JSON yet: ${(reason as Error).message}`);
          }
        }}
      />
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
