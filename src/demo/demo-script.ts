import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";

/** The demo's question. */
export const DEMO_QUESTION = "show my five largest open orders and their customers";

const ORDERS_CALL = "call_orders";
const CUSTOMERS_CALL = "call_customers";

/**
 * The scripted model's plan for order questions, decided from the conversation:
 * 1. `dreamfactory_query_records` on orders (status = open, total desc, limit 5);
 * 2. `dreamfactory_get_records` on customers for the orders' customer ids;
 * 3. a short answer built from the tool results (or the refusal).
 *
 * @param messages - the conversation so far
 */
export function demoScript(messages: BaseMessage[]): AIMessage {
  const lastHuman = [...messages].reverse().find((m) => HumanMessage.isInstance(m));
  const question = typeof lastHuman?.content === "string" ? lastHuman.content : "";
  const tools = messages.filter((m): m is ToolMessage => ToolMessage.isInstance(m));
  const orders = tools.find((m) => m.tool_call_id.startsWith(ORDERS_CALL));
  const customers = tools.find((m) => m.tool_call_id.startsWith(CUSTOMERS_CALL));

  if (!/order/i.test(question)) return new AIMessage("This scripted demo model only answers questions about orders.");
  if (orders === undefined) {
    return new AIMessage({
      content: "",
      tool_calls: [
        {
          id: ORDERS_CALL,
          name: "dreamfactory_query_records",
          type: "tool_call",
          args: {
            table: "orders",
            where: [{ field: "status", op: "=", value: "open" }],
            order: "total desc",
            limit: /five|5/i.test(question) ? 5 : 10,
            fields: ["id", "customer_id", "total", "currency", "status", "sales_rep_id"],
          },
        },
      ],
    });
  }
  const ordersResult = parse(orders);
  if (typeof ordersResult.error === "string") {
    return new AIMessage(`I can't show these orders: ${String(ordersResult.message ?? ordersResult.error)}`);
  }
  const orderRows = rows(ordersResult);
  if (orderRows.length === 0) return new AIMessage("You have no open orders.");
  if (customers === undefined) {
    const ids = [...new Set(orderRows.map((r) => r.customer_id).filter((id) => typeof id === "number"))];
    return new AIMessage({
      content: "",
      tool_calls: [
        { id: CUSTOMERS_CALL, name: "dreamfactory_get_records", type: "tool_call", args: { table: "customers", ids, fields: ["id", "name", "country"] } },
      ],
    });
  }
  const names = new Map(rows(parse(customers)).map((c) => [c.id, c.name]));
  const lines = orderRows.map(
    (o) => `#${String(o.id)} ${String(o.currency ?? "")} ${String(o.total)} — ${String(names.get(o.customer_id) ?? `customer ${String(o.customer_id)}`)}`,
  );
  return new AIMessage(`Your ${orderRows.length} largest open orders:\n${lines.join("\n")}`);
}

function parse(message: ToolMessage): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(typeof message.content === "string" ? message.content : "");
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return { error: "unreadable", message: typeof message.content === "string" ? message.content : "tool error" };
  }
}

function rows(result: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(result.rows) ? (result.rows as Record<string, unknown>[]) : [];
}
