// A PostgreSQL store for `oidc-provider`, so benchmarks/oidc_token.py can also compare with it
// deployed as its docs require: its built-in store is in memory, "development-only", and
// loses every code, token and session on restart. Written to the package's Adapter
// interface (example/my_adapter.js in its repository): one table of JSON payloads keyed by
// model and id, with the three secondary keys the provider looks things up by.
import pg from "pg";

const TABLE = `
CREATE TABLE IF NOT EXISTS oidc_payloads (
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  grant_id text,
  uid text,
  user_code text,
  expires_at timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX IF NOT EXISTS oidc_payloads_grant_id ON oidc_payloads (grant_id);
CREATE INDEX IF NOT EXISTS oidc_payloads_uid ON oidc_payloads (uid);
CREATE INDEX IF NOT EXISTS oidc_payloads_user_code ON oidc_payloads (user_code);
`;

const LIVE = "(expires_at IS NULL OR expires_at > now())";

export async function postgresAdapter(url) {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await pool.query(TABLE);

  async function one(where, values) {
    const { rows } = await pool.query(
      `SELECT payload, extract(epoch FROM consumed_at)::bigint AS consumed
       FROM oidc_payloads WHERE ${where} AND ${LIVE}`,
      values,
    );
    if (rows.length === 0) return undefined;
    const { payload, consumed } = rows[0];
    return consumed === null ? payload : { ...payload, consumed: Number(consumed) };
  }

  return class PostgresAdapter {
    constructor(model) {
      this.model = model;
    }

    async upsert(id, payload, expiresIn) {
      await pool.query(
        `INSERT INTO oidc_payloads (model, id, payload, grant_id, uid, user_code, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))
         ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload,
           grant_id = excluded.grant_id, uid = excluded.uid, user_code = excluded.user_code,
           expires_at = excluded.expires_at, consumed_at = NULL`,
        [
          this.model,
          id,
          payload,
          payload.grantId ?? null,
          payload.uid ?? null,
          payload.userCode ?? null,
          expiresIn ?? null,
        ],
      );
    }

    find(id) {
      return one("model = $1 AND id = $2", [this.model, id]);
    }

    findByUid(uid) {
      return one("model = $1 AND uid = $2", [this.model, uid]);
    }

    findByUserCode(userCode) {
      return one("model = $1 AND user_code = $2", [this.model, userCode]);
    }

    async consume(id) {
      await pool.query(
        "UPDATE oidc_payloads SET consumed_at = now() WHERE model = $1 AND id = $2",
        [this.model, id],
      );
    }

    async destroy(id) {
      await pool.query("DELETE FROM oidc_payloads WHERE model = $1 AND id = $2", [this.model, id]);
    }

    async revokeByGrantId(grantId) {
      await pool.query("DELETE FROM oidc_payloads WHERE grant_id = $1", [grantId]);
    }
  };
}
