using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChatKit.ApiService.Conversations.Migrations
{
    /// <inheritdoc />
    public partial class TurnLeasesAttachmentContents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "turn_lease",
                table: "threads",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "turn_lease_expires_at",
                table: "threads",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "attachment_contents",
                columns: table => new
                {
                    attachment_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    data = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_attachment_contents", x => x.attachment_id);
                    table.ForeignKey(
                        name: "fk_attachment_contents_attachments_attachment_id",
                        column: x => x.attachment_id,
                        principalTable: "attachments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_attachments_created_at",
                table: "attachments",
                column: "created_at",
                filter: "thread_id IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "attachment_contents");

            migrationBuilder.DropIndex(
                name: "ix_attachments_created_at",
                table: "attachments");

            migrationBuilder.DropColumn(
                name: "turn_lease",
                table: "threads");

            migrationBuilder.DropColumn(
                name: "turn_lease_expires_at",
                table: "threads");
        }
    }
}
