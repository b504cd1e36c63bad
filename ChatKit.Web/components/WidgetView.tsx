"use client";

import type { CSSProperties, ReactNode } from "react";
import type { WidgetNode } from "@/lib/chatkit-protocol";
import { Icon, iconFor } from "./Icon";

export interface WidgetAction {
  type: string;
  payload?: Record<string, unknown>;
  handler?: "server" | "client";
}

interface Props {
  node: WidgetNode;
  onAction: (action: WidgetAction) => void;
  busy: boolean;
}

const gap = (value: unknown) => (typeof value === "number" ? `${value * 4}px` : typeof value === "string" ? value : undefined);
const align = (value: unknown) =>
  value === "start" ? "flex-start" : value === "end" ? "flex-end" : typeof value === "string" ? value : undefined;
const justify = (value: unknown) =>
  value === "between" ? "space-between" : value === "around" ? "space-around" : align(value);

function boxStyle(node: WidgetNode, direction: "row" | "column"): CSSProperties {
  return {
    display: "flex",
    flexDirection: direction,
    gap: gap(node.gap),
    alignItems: align(node.align) ?? (direction === "row" ? "center" : undefined),
    justifyContent: justify(node.justify),
    flex: node.flex as number | undefined,
    padding: gap(node.padding),
  };
}

/** Renders ChatKit widget JSON (Card, ListView and the common components) for the built-in chat. */
export function WidgetView({ node, onAction, busy }: Props): ReactNode {
  const children = (node.children ?? []).map((child, index) => (
    <WidgetView key={child.key ?? child.id ?? index} node={child} onAction={onAction} busy={busy} />
  ));
  const action = node.onClickAction as WidgetAction | undefined;
  const text = (key = "value") => (node[key] == null ? "" : String(node[key]));

  switch (node.type) {
    case "Card":
    case "Basic":
      return <div className="widget-card" data-widget="card">{children}</div>;
    case "ListView":
      return <ul className="widget-list" data-widget="list">{children}</ul>;
    case "ListViewItem":
      return (
        <li
          className={`widget-list-item${action ? " clickable" : ""}`}
          style={{ ...boxStyle(node, "row"), alignItems: align(node.align) ?? "center" }}
          onClick={action && !busy ? () => onAction(action) : undefined}
        >
          {children}
        </li>
      );
    case "Row":
      return <div style={boxStyle(node, "row")}>{children}</div>;
    case "Col":
      return <div style={boxStyle(node, "column")}>{children}</div>;
    case "Box":
    case "Form":
      return <div style={boxStyle(node, node.direction === "row" ? "row" : "column")}>{children}</div>;
    case "Spacer":
      return <div style={{ flex: 1 }} />;
    case "Divider":
      return <hr className="widget-divider" />;
    case "Title":
      return <div className="widget-title">{text()}</div>;
    case "Caption":
      return <div className="widget-caption">{text()}</div>;
    case "Text":
      return (
        <span
          className="widget-text"
          style={{
            fontWeight: node.weight === "semibold" || node.weight === "bold" ? 600 : undefined,
            textDecoration: node.lineThrough ? "line-through" : undefined,
            color: node.color === "secondary" || node.color === "tertiary" ? "var(--muted)" : undefined,
            fontStyle: node.italic ? "italic" : undefined,
          }}
        >
          {text()}
        </span>
      );
    case "Markdown":
      return <div className="widget-markdown">{text()}</div>;
    case "Badge":
      return <span className={`widget-badge badge-${text("color") || "secondary"}`}>{text("label")}</span>;
    case "Icon":
      return <span className="widget-icon"><Icon name={iconFor(node.name)} /></span>;
    case "Image":
      return typeof node.src === "string" && /^(data:|\/)/.test(node.src) ? <img className="widget-image" src={node.src} alt={text("alt")} /> : null;
    case "Button":
      return (
        <button
          type="button"
          className={`widget-button ${node.style === "secondary" ? "secondary" : "primary"}`}
          disabled={busy || !action}
          onClick={(e) => {
            e.stopPropagation();
            if (action) onAction(action);
          }}
        >
          {node.iconStart ? <Icon name={iconFor(node.iconStart)} size={14} /> : null}
          {text("label")}
        </button>
      );
    default:
      return children.length ? <div>{children}</div> : node.value != null ? <span>{text()}</span> : null;
  }
}

