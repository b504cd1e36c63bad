using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChatKit.ApiService.Conversations.Migrations
{
    /// <inheritdoc />
    public partial class FencedTurnsAndUserCap : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_threads_owner_id_turn_in_flight",
                table: "threads",
                column: "owner_id",
                filter: "turn_lease IS NOT NULL");

            // A turn's writes go in one batch (one implicit transaction) that starts with this fence: it checks that the
            // turn still holds the thread's lease and locks the row as the batch's own update will (a turn taking the lease
            // waits until the batch commits), or fails the whole batch when another turn holds the lease. A lock, not an update: no new row
            // version per write (the lease is renewed on its own timer).
            migrationBuilder.Sql("""
                CREATE FUNCTION chatkit_fence_turn(p_thread text, p_owner text, p_lease uuid) RETURNS void
                LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM 1 FROM threads WHERE id = p_thread AND owner_id = p_owner AND turn_lease = p_lease FOR NO KEY UPDATE;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'The turn on thread % no longer holds its lease.', p_thread USING ERRCODE = 'CK409';
                    END IF;
                END $$;
                """);

            // A turn takes its thread's lease in a batch that starts with this claim: one user's turn starts are taken
            // one at a time across replicas (an advisory lock until the batch commits), and refused while the user
            // already holds p_cap live leases.
            migrationBuilder.Sql("""
                CREATE FUNCTION chatkit_claim_turn(p_owner text, p_cap integer) RETURNS void
                LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_advisory_xact_lock(1128811348, hashtext(p_owner));
                    IF (SELECT count(*) FROM threads
                        WHERE owner_id = p_owner AND turn_lease IS NOT NULL AND turn_lease_expires_at > now()) >= p_cap THEN
                        RAISE EXCEPTION 'The user already has % turns in flight.', p_cap USING ERRCODE = 'CK429';
                    END IF;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION chatkit_claim_turn(text, integer)");
            migrationBuilder.Sql("DROP FUNCTION chatkit_fence_turn(text, text, uuid)");
            migrationBuilder.DropIndex(
                name: "ix_threads_owner_id_turn_in_flight",
                table: "threads");
        }
    }
}
