import { SeededRandom } from "./seeded-random.js";

/** One help-centre article of the demo seed (column values of `kb_articles`, without `id`). */
export interface KbArticleSeed {
  slug: string;
  title: string;
  body: string;
  tags: string;
  team: string | null;
  is_internal: boolean;
  updated_at: string;
}

/**
 * Words that appear only in internal articles of one team (never in public or generated text), so tests
 * can prove row-level security: a reader of another team must not find them.
 */
export const KB_TEAM_ONLY_WORDS = { sales: "Bluefin", support: "Kestrel" } as const;

type Hand = Omit<KbArticleSeed, "updated_at">;

const HAND_WRITTEN: Hand[] = [
  {
    slug: "tracking-an-order",
    title: "Tracking an order",
    body:
      "Every order gets a tracking link as soon as the warehouse hands it to the carrier. Open Orders in your " +
      "account, choose the order and select Track shipment. Orders in the open or pending status have not left " +
      "the warehouse yet, so no tracking link exists. Tracking updates can lag the carrier's own site by up to " +
      "four hours. If a shipped order shows no movement for three business days, contact support with the order number.",
    tags: "orders,shipping",
    team: null,
    is_internal: false,
  },
  {
    slug: "cancelling-an-open-order",
    title: "Cancelling an open order",
    body:
      "You can cancel an order yourself while its status is open. Open the order and choose Cancel order; the " +
      "status changes to cancelled and any card authorisation is released within five business days. Orders " +
      "that are pending or shipped cannot be cancelled online: ask your sales representative, who can stop a " +
      "pending order before it is packed. Shipped orders follow the returns process instead.",
    tags: "orders,cancellation",
    team: null,
    is_internal: false,
  },
  {
    slug: "returns-and-refunds-policy",
    title: "Returns and refunds policy",
    body:
      "Unused products in their original packaging can be returned within 30 days of delivery. Start a return " +
      "from the delivered order and print the prepaid label. Refunds go back to the original payment method " +
      "within ten business days of the parcel reaching our warehouse. Custom and clearance items cannot be " +
      "returned. Shipping fees are refunded only when the product arrived damaged or was not what you ordered.",
    tags: "returns,refunds,billing",
    team: null,
    is_internal: false,
  },
  {
    slug: "understanding-invoice-numbers",
    title: "Understanding invoice numbers",
    body:
      "Invoice numbers start with the year, followed by your customer number and a running counter, for " +
      "example 2025-004211-0037. One invoice is issued per shipment, so an order that ships in two parts " +
      "produces two invoices. Credit notes use the same scheme with the prefix CN. Quote the full invoice " +
      "number when you pay by bank transfer so the payment is matched automatically.",
    tags: "billing,invoices",
    team: null,
    is_internal: false,
  },
  {
    slug: "changing-the-billing-currency",
    title: "Changing the billing currency",
    body:
      "Accounts are billed in USD, EUR or GBP. The currency is fixed per order when the order is placed, so " +
      "changing it affects future orders only. Administrators of your company account can change the " +
      "currency under Settings, Billing. Price lists are converted at the rate published on the first business " +
      "day of each month.",
    tags: "billing,currency",
    team: null,
    is_internal: false,
  },
  {
    slug: "resetting-your-password",
    title: "Resetting your password",
    body:
      "Choose Forgot password on the sign-in page and enter your work email address. The reset link is valid " +
      "for one hour and can be used once. If your company signs in with single sign-on, passwords are managed " +
      "by your identity provider and the reset link is not sent. After five failed attempts the account is " +
      "locked for fifteen minutes.",
    tags: "account,security",
    team: null,
    is_internal: false,
  },
  {
    slug: "setting-up-single-sign-on",
    title: "Setting up single sign-on",
    body:
      "Single sign-on is available for enterprise accounts and supports SAML 2.0 and OpenID Connect. An " +
      "administrator uploads the identity provider metadata under Settings, Security, then tests the " +
      "connection with a second browser session before enforcing it. Users keep their order history when the " +
      "account switches to single sign-on because accounts are matched by email address.",
    tags: "account,security,sso",
    team: null,
    is_internal: false,
  },
  {
    slug: "bulk-ordering-with-csv-upload",
    title: "Bulk ordering with CSV upload",
    body:
      "Large orders can be uploaded as a CSV file with the columns sku and quantity. The upload checks every " +
      "SKU against the active catalogue and lists rows it could not match before anything is ordered. Up to " +
      "2,000 lines are accepted per file. Inactive products are rejected; ask your sales representative for " +
      "a replacement SKU.",
    tags: "orders,products",
    team: null,
    is_internal: false,
  },
  {
    slug: "shipping-times-by-region",
    title: "Shipping times by region",
    body:
      "Orders placed before 2 pm local warehouse time ship the same business day. Standard delivery takes two " +
      "to four business days in North America and the European Union and five to eight business days to the " +
      "United Kingdom and the rest of the world. Express delivery halves these times for an extra fee shown " +
      "at checkout.",
    tags: "shipping,orders",
    team: null,
    is_internal: false,
  },
  {
    slug: "volume-discounts-for-enterprise-customers",
    title: "Volume discounts for enterprise customers",
    body:
      "Enterprise customers receive tiered discounts once their yearly order total passes published " +
      "thresholds. The discount applies automatically to new orders from the first day of the following " +
      "month. Your sales representative can show the current tier and the remaining amount to the next one.",
    tags: "pricing,sales",
    team: "sales",
    is_internal: false,
  },
  {
    slug: "exporting-your-order-history",
    title: "Exporting your order history",
    body:
      "Administrators can export up to three years of order history as CSV from Orders, Export. The file " +
      "contains one row per order with the status, total, currency and order date. Exports larger than " +
      "50,000 rows are prepared in the background and emailed as a download link that expires after 24 hours.",
    tags: "orders,export",
    team: null,
    is_internal: false,
  },
  {
    slug: "product-warranty-coverage",
    title: "Product warranty coverage",
    body:
      "Hardware products carry a two-year warranty from the delivery date; consumables are covered until " +
      "their printed expiry date. Warranty claims need the serial number and a short description of the " +
      "fault. Approved claims are replaced rather than repaired, and the replacement ships at no cost.",
    tags: "products,warranty",
    team: "support",
    is_internal: false,
  },
  {
    slug: "adding-users-to-your-company-account",
    title: "Adding users to your company account",
    body:
      "Company administrators invite colleagues from Settings, Users. Each user gets one of three roles: " +
      "buyer, approver or administrator. Buyers can place orders up to their approval limit; larger orders " +
      "wait for an approver. Removing a user keeps their orders in the company history.",
    tags: "account,users",
    team: null,
    is_internal: false,
  },
  {
    slug: "tax-exemption-certificates",
    title: "Tax exemption certificates",
    body:
      "Tax-exempt organisations upload their exemption certificate under Settings, Billing. Once the billing " +
      "team has verified it, usually within two business days, new orders are invoiced without sales tax. " +
      "Orders placed before verification are not re-invoiced automatically; contact support to request a " +
      "corrected invoice.",
    tags: "billing,tax",
    team: null,
    is_internal: false,
  },
  {
    slug: "internal-bluefin-discount-ladder",
    title: "Bluefin discount ladder (internal)",
    body:
      "Bluefin is the code name of this quarter's retention programme for enterprise customers at risk of " +
      "churning. Representatives may offer up to 8% on renewals without approval, 8-15% with their sales " +
      "manager's sign-off and more only through the deal desk. Never mention the Bluefin name or the ladder " +
      "to customers; present the discount as a loyalty adjustment.",
    tags: "pricing,internal,retention",
    team: "sales",
    is_internal: true,
  },
  {
    slug: "internal-quarter-end-deal-desk-checklist",
    title: "Quarter-end deal desk checklist (internal)",
    body:
      "Submit quarter-end deals to the deal desk by the 25th with the signed quote, the customer's purchase " +
      "order and the margin sheet. Deals that use the Bluefin ladder need the retention flag set on the " +
      "customer record. Late submissions move to the next quarter.",
    tags: "sales,internal,deal-desk",
    team: "sales",
    is_internal: true,
  },
  {
    slug: "internal-handling-competitor-price-matches",
    title: "Handling competitor price matches (internal)",
    body:
      "Match a competitor's price only for identical SKUs and only against a written quote less than 30 days " +
      "old. Record the competitor and quote date in the order notes. Price matches cannot be combined with " +
      "volume discounts; choose whichever is better for the customer.",
    tags: "pricing,internal",
    team: "sales",
    is_internal: true,
  },
  {
    slug: "internal-kestrel-escalation-bridge",
    title: "Kestrel escalation bridge (internal)",
    body:
      "Kestrel is the on-call bridge for severity-one incidents such as a warehouse outage or a billing run " +
      "that charged customers twice. Open a Kestrel ticket, page the duty manager and post updates every 30 " +
      "minutes in the incident channel. Do not give customers an estimated fix time until the duty manager " +
      "confirms it.",
    tags: "support,internal,incidents",
    team: "support",
    is_internal: true,
  },
  {
    slug: "internal-refund-override-procedure",
    title: "Refund override procedure (internal)",
    body:
      "Support agents may approve refunds outside the 30-day window up to 250 USD per order when the customer " +
      "has been affected by a Kestrel incident. Larger overrides need a team lead. Always attach the incident " +
      "number to the refund.",
    tags: "support,internal,refunds",
    team: "support",
    is_internal: true,
  },
  {
    slug: "internal-known-issue-duplicate-invoice-emails",
    title: "Known issue: duplicate invoice emails (internal)",
    body:
      "Some customers receive the same invoice email twice after a split shipment. The invoices themselves " +
      "are correct and only one is payable. Reassure the customer, link the ticket to the known-issue record " +
      "and do not issue credit notes for the duplicate.",
    tags: "support,internal,billing",
    team: "support",
    is_internal: true,
  },
];

const AREAS = [
  { tag: "orders", team: "sales", subjects: ["a purchase order", "a repeat order", "a split shipment", "a backorder", "a rush order", "an order approval"] },
  { tag: "billing", team: "support", subjects: ["an invoice", "a credit note", "a payment reminder", "a card payment", "a bank transfer", "a billing address"] },
  { tag: "shipping", team: "support", subjects: ["a delivery address", "a damaged parcel", "a missing parcel", "an express delivery", "a pallet delivery"] },
  { tag: "account", team: "support", subjects: ["a user invitation", "an approval limit", "a locked account", "a company profile", "two-factor sign-in"] },
  { tag: "products", team: "sales", subjects: ["a discontinued product", "a product bundle", "a price list", "a product sample", "a custom product"] },
  { tag: "integrations", team: "support", subjects: ["an API key", "a webhook", "an ERP connector", "a punch-out catalogue", "a data export"] },
];

const TITLE_PATTERNS: Array<(subject: string) => string> = [
  (s) => `How to manage ${s}`,
  (s) => `Troubleshooting ${s}`,
  (s) => `What happens to ${s} at month end`,
  (s) => `Best practices for ${s}`,
  (s) => `Frequently asked questions about ${s}`,
  (s) => `Who can change ${s}`,
];

const SENTENCES: Array<(s: string, n: number) => string> = [
  (s, n) => `Most questions about ${s} are answered within ${n} business hours by the team that owns your account.`,
  (s) => `Administrators see every change to ${s} in the activity log under Settings.`,
  (s, n) => `Changes to ${s} take effect immediately for new orders and within ${n} hours for orders already in progress.`,
  (s) => `Buyers can view ${s}, while approvers and administrators can also change it.`,
  (s) => `If ${s} looks wrong, check the order status first: open and pending orders can still be corrected.`,
  (s, n) => `We keep a record of ${s} for ${n} years to meet accounting rules.`,
  (s) => `Your sales representative can explain how ${s} affects pricing and delivery dates.`,
  (s) => `Email notifications about ${s} go to the addresses listed in your company profile.`,
  (s, n) => `Up to ${n * 10} entries related to ${s} can be exported to CSV at once.`,
  (s) => `The mobile app shows ${s} as well, but editing is only possible in the web portal.`,
  (s) => `Contact support with your customer number if ${s} cannot be found.`,
  (s, n) => `Requests about ${s} that arrive after 5 pm are handled the next business day, usually within ${n} hours.`,
];

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** "YYYY-MM-DD HH:MM:SS" for day `day` (0 = 2025-01-01) plus `minutes`, computed in UTC. */
function timestampText(day: number, minutes: number): string {
  const ms = Date.UTC(2025, 0, 1) + day * 86_400_000 + minutes * 60_000;
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/**
 * The demo help centre: ~20 hand-written articles plus `generated` articles built from templates with a
 * seeded PRNG. Deterministic: the same `generated` count always yields the same articles. Some articles are
 * internal to team "sales" or "support" (row-level security hides them from other teams); the words in
 * {@link KB_TEAM_ONLY_WORDS} appear only in internal articles of their team.
 * @param generated - number of template articles. @default 300
 */
export function demoKbArticles(generated = 300): KbArticleSeed[] {
  const random = new SeededRandom(20_250_101);
  const articles: KbArticleSeed[] = HAND_WRITTEN.map((a, i) => ({ ...a, updated_at: timestampText(i * 11, i * 97) }));
  for (let i = 0; i < generated; i++) {
    const area = AREAS[i % AREAS.length] as (typeof AREAS)[number];
    const subject = random.pick(area.subjects);
    const title = (TITLE_PATTERNS[Math.floor(i / AREAS.length) % TITLE_PATTERNS.length] as (s: string) => string)(subject);
    const internal = i % 9 === 4;
    const sentenceCount = 4 + random.int(3);
    const used = new Set<number>();
    const parts: string[] = [];
    while (parts.length < sentenceCount) {
      const k = random.int(SENTENCES.length);
      if (used.has(k)) continue;
      used.add(k);
      parts.push((SENTENCES[k] as (s: string, n: number) => string)(subject, 2 + random.int(7)));
    }
    if (internal) parts.push(`This note is internal to the ${area.team} team; do not forward it to customers.`);
    const body = parts.join(" ");
    articles.push({
      slug: `${slugify(title)}-${i + 1}`,
      title: internal ? `${title} (internal)` : title,
      body: body.charAt(0).toUpperCase() + body.slice(1),
      tags: internal ? `${area.tag},internal` : `${area.tag},${slugify(subject)}`,
      team: internal || i % 4 === 0 ? area.team : null,
      is_internal: internal,
      updated_at: timestampText(random.int(600), random.int(1440)),
    });
  }
  return articles;
}
