using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace ChatKit.ApiService.Conversations.Migrations
{
    /// <inheritdoc />
    public partial class SearchRawItemsAttachmentKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_thread_items_owner_id",
                table: "thread_items");

            migrationBuilder.AlterColumn<string>(
                name: "data",
                table: "thread_items",
                type: "json",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "jsonb");

            migrationBuilder.AddColumn<string>(
                name: "access_key",
                table: "attachments",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "search",
                table: "threads",
                type: "tsvector",
                nullable: true,
                computedColumnSql: "to_tsvector('simple'::regconfig, coalesce(title, ''))",
                stored: true);

            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "search",
                table: "thread_items",
                type: "tsvector",
                nullable: true,
                computedColumnSql: "to_tsvector('simple'::regconfig, CASE WHEN type IN ('user_message', 'assistant_message') THEN coalesce(text, '') ELSE '' END)",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_threads_search",
                table: "threads",
                column: "search")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_thread_items_search",
                table: "thread_items",
                column: "search")
                .Annotation("Npgsql:IndexMethod", "gin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_threads_search",
                table: "threads");

            migrationBuilder.DropIndex(
                name: "ix_thread_items_search",
                table: "thread_items");

            migrationBuilder.DropColumn(
                name: "search",
                table: "threads");

            migrationBuilder.DropColumn(
                name: "search",
                table: "thread_items");

            migrationBuilder.DropColumn(
                name: "access_key",
                table: "attachments");

            migrationBuilder.AlterColumn<string>(
                name: "data",
                table: "thread_items",
                type: "jsonb",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "json");

            migrationBuilder.CreateIndex(
                name: "ix_thread_items_owner_id",
                table: "thread_items",
                column: "owner_id");
        }
    }
}
