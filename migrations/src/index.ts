import { Migration20261126000001 } from "./Migration20261126000001_initial.ts";
import { Migration20261126000002 } from "./Migration20261126000002_gateway_submissions.ts";
import { Migration20261126000003 } from "./Migration20261126000003_email_deliveries.ts";
import { Migration20261126000004 } from "./Migration20261126000004_api_access.ts";
import { Migration20261126000008 } from "./Migration20261126000008_reconcile.ts";
import { Migration20261126000009 } from "./Migration20261126000009_tombstone_index.ts";

/**
 * Every migration in order, listed explicitly (no folder globbing) so the runner works the same from
 * source, from a bundle and from tests.
 */
export const migrationsList = [
  { name: "Migration20261126000001_initial", class: Migration20261126000001 },
  { name: "Migration20261126000002_gateway_submissions", class: Migration20261126000002 },
  { name: "Migration20261126000003_email_deliveries", class: Migration20261126000003 },
  { name: "Migration20261126000004_api_access", class: Migration20261126000004 },
  { name: "Migration20261126000008_reconcile", class: Migration20261126000008 },
  { name: "Migration20261126000009_tombstone_index", class: Migration20261126000009 },
];
