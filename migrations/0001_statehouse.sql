-- Statehouse's global state in D1. Read sides, cursors and the entity index arrive with the read side.
CREATE TABLE IF NOT EXISTS sh_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
