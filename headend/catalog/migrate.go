package catalog

import (
	"context"
	"fmt"

	"github.com/manbang/manbang/headend/internal/sqldb"
)

// columns are the columns added to tables after their first release:
// migrate adds those a database made earlier lacks. The schema creates
// them in new databases.
var columns = []struct{ table, name, decl string }{
	{"channels", "rating", `TEXT NOT NULL DEFAULT ''`},
}

// migrate brings a database made by an earlier version up to the schema.
func migrate(ctx context.Context, db *sqldb.DB) error {
	for _, c := range columns {
		ok, err := hasColumn(ctx, db, c.table, c.name)
		if err != nil {
			return fmt.Errorf("migrate %s.%s: %w", c.table, c.name, err)
		}
		if ok {
			continue
		}
		if _, err := db.ExecContext(ctx, `ALTER TABLE `+c.table+` ADD COLUMN `+c.name+` `+c.decl); err != nil {
			return fmt.Errorf("migrate: add %s.%s: %w", c.table, c.name, err)
		}
	}
	return nil
}

// hasColumn reports whether table has a column named name.
func hasColumn(ctx context.Context, db *sqldb.DB, table, name string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, table, name).Scan(&n)
	return n > 0, err
}
