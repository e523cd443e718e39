// The journey map as a picture: stages as column groups, one row per lane.
// Props come from assistant/chat_app/grid.py (grid_props); this file only lays them out.
// Inline styles only: the chat's stylesheet has no classes for what this grid needs.

const COLUMN = 190;
const LANE = 124;
const border = "1px solid hsl(var(--border))";
const muted = "hsl(var(--muted-foreground))";
const TINTS = ["rgba(66,133,244,.10)", "rgba(52,168,83,.10)", "rgba(251,188,5,.13)", "rgba(155,81,224,.10)", "rgba(0,172,193,.10)", "rgba(234,67,53,.08)"];

function Chip({ children, colour }) {
  return (
    <span style={{ display: "inline-block", fontSize: 11, lineHeight: "16px", padding: "0 6px", marginRight: 4,
      borderRadius: 8, background: colour || "hsl(var(--muted))", color: colour ? "#fff" : "inherit" }}>
      {children}
    </span>
  );
}

// Where content comes from: a small badge; inferred content (the assistant's own) is also muted.
function Origin({ origin, words }) {
  if (!origin) return null;
  const word = (words && words[origin.source]) || origin.source;
  return (
    <span data-origin={origin.source} title={origin.reference || word}
      style={{ display: "inline-block", fontSize: 10, lineHeight: "14px", padding: "0 5px", marginLeft: 4,
        borderRadius: 7, border, color: muted, fontWeight: 400, fontStyle: "normal" }}>
      {word}
    </span>
  );
}

const inferred = (origin) => origin && origin.source === "model";

function PersonaCards({ cards, words, labels }) {
  const l = labels || {};
  if (!cards || cards.length === 0) return null;
  const list = (label, items) => items && items.length > 0 && (
    <div style={{ marginTop: 4 }}><b style={{ fontSize: 11 }}>{label}</b>
      <ul style={{ margin: 0, paddingLeft: 14 }}>{items.map((x, i) => <li key={i}>{x}</li>)}</ul></div>
  );
  return (
    <div data-testid="persona-cards" style={{ display: "flex", gap: 8, padding: "8px 12px", flexWrap: "wrap", borderBottom: border }}>
      {cards.map((c, i) => (
        <div key={i} data-persona={c.name} style={{ flex: "1 1 260px", maxWidth: 420, border, borderRadius: 8, padding: 8,
          fontSize: 12, color: inferred(c.origin) ? muted : "inherit" }}>
          <b style={{ fontSize: 13 }}>{c.name}</b><Origin origin={c.origin} words={words} />
          {c.role && <div style={{ color: muted }}>{c.role}</div>}
          {c.situation && <div>{c.situation}</div>}
          {c.quote && <div style={{ fontStyle: "italic", marginTop: 4 }}>“{c.quote}”</div>}
          {list(l.goals, c.goals)}{list(l.needs, c.needs)}{list(l.frustrations, c.frustrations)}{list(l.behaviours, c.behaviours)}
          {c.channels && c.channels.length > 0 && <div style={{ marginTop: 4 }}>{c.channels.map((ch) => <Chip key={ch}>{ch}</Chip>)}</div>}
        </div>
      ))}
    </div>
  );
}

function Severity({ value }) {
  return (
    <span title={`severity ${value}/5`} style={{ color: "#d64545", fontSize: 10, letterSpacing: -1, marginRight: 4 }}>
      {"●".repeat(value)}{"○".repeat(5 - value)}
    </span>
  );
}

function Items({ lane, items, words }) {
  if (!items || items.length === 0) return <span style={{ color: muted }}>–</span>;
  return (
    <ul style={{ margin: 0, paddingLeft: 14 }}>
      {items.map((item, k) => (
        <li key={k} style={{ marginBottom: 4, color: inferred(item.origin) ? muted : lane === "pain_points" ? "#b42318" : "inherit" }}>
          {lane === "pain_points" && <Severity value={item.severity} />}
          {item.text}
          <Origin origin={item.origin} words={words} />
          {lane === "pain_points" && !item.origin && item.provenance !== "asserted" && (
            <span style={{ marginLeft: 4 }}><Chip colour={item.provenance === "feedback" ? "#3b7d5a" : "#7b8da1"}>{item.provenance}</Chip></span>
          )}
          {lane === "pain_points" && item.evidence.map((e, i) => (
            <div key={i} style={{ fontSize: 11, color: muted, fontStyle: "italic" }}>
              “{e.quote}” {e.id && <code style={{ fontStyle: "normal" }}>[{e.id}]</code>}
            </div>
          ))}
          {lane === "opportunities" && (item.kpi || item.effort) && (
            <div style={{ fontSize: 11, color: muted }}>{[item.kpi && `KPI: ${item.kpi}`, item.effort && `effort: ${item.effort}`].filter(Boolean).join(" · ")}</div>
          )}
          {lane === "kpis" && (item.target || item.owner) && (
            <div style={{ fontSize: 11, color: muted }}>{[item.target, item.owner].filter(Boolean).join(" · ")}</div>
          )}
        </li>
      ))}
    </ul>
  );
}

function Cell({ lane, cell, column, labels, words }) {
  if (cell.empty) return <span style={{ color: muted, fontStyle: "italic" }}>{labels.empty}</span>;
  if (lane === "emotion") {
    return (
      <span style={{ display: "inline-flex", alignItems: "center", gap: 6 }}>
        <span style={{ width: 12, height: 12, borderRadius: 6, background: cell.colour, display: "inline-block" }} />
        <b>{cell.score > 0 ? `+${cell.score}` : cell.score}</b> {cell.label}
      </span>
    );
  }
  if (cell.items) return <Items lane={lane} items={cell.items} words={words} />;
  return (
    <span style={{ fontStyle: lane === "thoughts" ? "italic" : "normal", fontWeight: lane === "actions" ? 600 : 400,
      color: inferred(cell.origin) ? muted : "inherit" }}>
      {lane === "actions" && column && column.moment && (
        <div title={column.moment_why}><Chip colour="#c99400">★ {labels.moment}</Chip></div>
      )}
      {cell.chip && <Chip>{cell.chip}</Chip>}
      {cell.text || <span style={{ color: muted }}>–</span>}
      {(lane === "actions" || (cell.origin && cell.origin.source === "brief")) && <Origin origin={cell.origin} words={words} />}
    </span>
  );
}

export default function JourneyGrid() {
  const stages = props.stages || [];
  const columns = props.columns || [];
  const lanes = props.lanes || [];
  const labels = props.labels || {};
  const cellStyle = (extra) => ({ border, padding: "6px 8px", verticalAlign: "top", textAlign: "left",
    fontSize: 12.5, lineHeight: 1.4, overflowWrap: "anywhere", ...extra });
  return (
    <div data-testid="journey-grid" data-map={props.name} data-version={props.version} style={{ width: "100%", border, borderRadius: 8, overflow: "hidden" }}>
      <div style={{ padding: "8px 12px", display: "flex", gap: 8, alignItems: "baseline", flexWrap: "wrap", borderBottom: border }}>
        <b style={{ fontSize: 15 }}>{props.title}</b>
        <Chip>{labels.state}</Chip>
        <span style={{ color: muted, fontSize: 12 }}>v{props.version}{props.personas && props.personas.length ? ` · ${props.personas.join(", ")}` : ""}</span>
      </div>
      <PersonaCards cards={props.persona_cards} words={props.origins} labels={labels.persona} />
      <div style={{ overflowX: "auto" }}>
        <table style={{ borderCollapse: "collapse", tableLayout: "fixed", width: LANE + COLUMN * Math.max(columns.length, 1) }}>
          <thead>
            <tr>
              <th style={cellStyle({ width: LANE, position: "sticky", left: 0, zIndex: 1, background: "hsl(var(--card))" })} />
              {stages.map((s, i) => (
                <th key={i} colSpan={s.span} data-stage={s.name}
                  style={cellStyle({ width: COLUMN * s.span, background: TINTS[i % TINTS.length], fontSize: 14,
                    boxShadow: s.changed ? "inset 0 0 0 2px #f2c94c" : "none" })}>
                  {s.name}
                  {s.goal && <div style={{ fontWeight: 400, fontSize: 11.5, color: muted }}>{s.goal}</div>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {lanes.map((lane) => {
              let col = 0;
              return (
                <tr key={lane.key} data-lane={lane.key}>
                  <th style={cellStyle({ position: "sticky", left: 0, zIndex: 1, background: "hsl(var(--card))",
                    fontSize: 12, fontWeight: 600, overflowWrap: "normal", color: muted })}>
                    {lane.label}
                  </th>
                  {lane.cells.map((cell, k) => {
                    const column = columns[col];
                    col += cell.span;
                    const changed = lane.key !== "kpis" && column && column.changed;
                    const moment = lane.key === "actions" && column && column.moment;
                    return (
                      <td key={k} colSpan={cell.span}
                        style={cellStyle({ background: moment ? "rgba(242,201,76,.18)" : "transparent",
                          borderLeft: column && column.first ? "2px solid hsl(var(--border))" : border,
                          boxShadow: changed ? "inset 0 0 0 2px #f2c94c" : "none" })}>
                        <Cell lane={lane.key} cell={cell} column={column} labels={labels} words={props.origins} />
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
