using System.Net.Http.Headers;
using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.ChatKitProtocol;

/// <summary>
/// Two-phase attachments (a9): attachments.create hands out an upload URL of ours, the bytes land in PostgreSQL
/// within the size, count, type and quota limits, images get a preview URL, deleting the thread deletes them, and
/// attachments never sent are deleted after the upload window.
/// </summary>
public sealed class AttachmentTests : IClassFixture<ApiApp>
{
    static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8];
    readonly ApiApp fixture;

    public AttachmentTests(ApiApp fixture)
    {
        this.fixture = fixture;
        fixture.Agent.Reset();
    }

    [Fact]
    public async Task AnUploadDeclaredMultipartThatIsNotIsABadRequest()
    {
        using var http = fixture.CreateClientFor(NewUser("garbled"));
        var created = await http.ChatKitJsonAsync("attachments.create", new { name = "a.png", size = Png.Length, mime_type = "image/png" });
        var uploadUrl = new Uri(created.GetProperty("upload_descriptor").GetProperty("url").GetString()!);
        using var body = new ByteArrayContent("not a multipart body"u8.ToArray());
        body.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");

        using var anonymous = fixture.CreateClient();
        using var response = await anonymous.PostAsync(uploadUrl, body);

        Assert.Equal("invalid_multipart", (await response.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnImageIsCreatedUploadedPreviewedSentAndDeletedWithItsThread()
    {
        using var http = fixture.CreateClientFor(NewUser("image"));
        var created = await http.ChatKitJsonAsync("attachments.create", new { name = "cat.png", size = Png.Length, mime_type = "image/png" });
        Assert.Equal(["type", "id", "name", "mime_type", "upload_descriptor", "preview_url"], created.EnumerateObject().Select(p => p.Name));
        Assert.Equal("image", created.GetProperty("type").GetString());
        var id = created.GetProperty("id").GetString()!;
        Assert.Matches("^atc_[0-9a-f]{24}$", id);
        var upload = created.GetProperty("upload_descriptor");
        Assert.Equal("POST", upload.GetProperty("method").GetString());
        Assert.Equal("{}", upload.GetProperty("headers").GetRawText());
        var uploadUrl = new Uri(upload.GetProperty("url").GetString()!);
        Assert.True(uploadUrl.IsAbsoluteUri);
        var previewUrl = new Uri(created.GetProperty("preview_url").GetString()!);

        // The ChatKit iframe uploads without our Authorization header: the URL is the capability.
        using var anonymous = fixture.CreateClient();
        using var uploaded = await anonymous.PostAsync(uploadUrl, Multipart(Png, "cat.png", "image/png"));
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        var attachment = await uploaded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(attachment.TryGetProperty("upload_descriptor", out _));
        Assert.Equal(previewUrl.ToString(), attachment.GetProperty("preview_url").GetString());
        Assert.True(await fixture.AttachmentStoredAsync(id));

        using var twice = await anonymous.PostAsync(uploadUrl, Multipart(Png, "cat.png", "image/png"));
        Assert.Equal("already_uploaded", (await twice.ProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        using var wrongKey = await anonymous.PostAsync(new Uri(uploadUrl.GetLeftPart(UriPartial.Path) + "?key=0000"), Multipart(Png, "cat.png", "image/png"));
        await wrongKey.ProblemAsync(HttpStatusCode.NotFound);

        using var preview = await anonymous.GetAsync(previewUrl);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Png, await preview.Content.ReadAsByteArrayAsync());

        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("what is in this picture?", id) });
        var threadId = events.ThreadId();
        var sent = events[1].GetProperty("item").GetProperty("attachments");
        Assert.Equal(
            $$"""[{"type":"image","id":"{{id}}","name":"cat.png","mime_type":"image/png","thread_id":"{{threadId}}","preview_url":"{{previewUrl}}"}]""",
            sent.GetRawText());
        var turn = await fixture.Agent.LastTurnAsync(1);
        Assert.Equal("what is in this picture?\n\n[Attached: cat.png (image/png)]", turn.GetProperty("input").GetProperty("text").GetString());

        // Attached to this thread now: another thread cannot take it.
        using var reuse = await http.ChatKitAsync("threads.create", new { input = Input("again", id) });
        Assert.Equal("attachment_in_use", (await reuse.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());

        await http.ChatKitJsonAsync("threads.delete", new { thread_id = threadId });
        Assert.False(await fixture.AttachmentStoredAsync(id));
        using var afterDelete = await anonymous.GetAsync(previewUrl);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
    }

    [Fact]
    public async Task AFileGetsNoPreviewAndMaySpeakForItselfWithoutText()
    {
        using var http = fixture.CreateClientFor(NewUser("file"));
        var created = await http.ChatKitJsonAsync("attachments.create", new { name = "notes.txt", size = 5, mime_type = "text/plain; charset=utf-8" });
        Assert.Equal("file", created.GetProperty("type").GetString());
        Assert.Equal("text/plain", created.GetProperty("mime_type").GetString());
        Assert.False(created.TryGetProperty("preview_url", out _));

        using var anonymous = fixture.CreateClient();
        using var uploaded = await anonymous.PostAsync(created.GetProperty("upload_descriptor").GetProperty("url").GetString(),
            Multipart("hello"u8.ToArray(), "notes.txt", "text/plain"));
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);

        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("", created.GetProperty("id").GetString()!) });
        Assert.Equal("file", events[1].GetProperty("item").GetProperty("attachments")[0].GetProperty("type").GetString());
        Assert.Equal("\n\n[Attached: notes.txt (text/plain)]", (await fixture.Agent.LastTurnAsync(1)).GetProperty("input").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("big.png", ApiApp.MaxAttachmentBytes + 1, "image/png", "attachment_too_large")]
    [InlineData("zero.png", 0, "image/png", "invalid_attachment")]
    [InlineData("tool.exe", 10, "application/x-msdownload", "unsupported_attachment_type")]
    [InlineData("", 10, "image/png", "invalid_attachment")]
    public async Task AttachmentsOutsideTheLimitsAreRefused(string name, int size, string mime, string code)
    {
        using var http = fixture.CreateClientFor(NewUser("limits"));
        using var response = await http.ChatKitAsync("attachments.create", new { name, size, mime_type = mime });
        Assert.Equal(code, (await response.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task UploadsAndMessagesAreHeldToTheLimits()
    {
        var user = NewUser("held");
        using var http = fixture.CreateClientFor(user);
        using var anonymous = fixture.CreateClient();

        // More bytes than allowed, whatever was declared.
        var liar = await http.ChatKitJsonAsync("attachments.create", new { name = "small.png", size = 10, mime_type = "image/png" });
        using var tooBig = await anonymous.PostAsync(liar.GetProperty("upload_descriptor").GetProperty("url").GetString(),
            Multipart(new byte[ApiApp.MaxAttachmentBytes + 1], "small.png", "image/png"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);

        // Not uploaded yet.
        using var notYet = await http.ChatKitAsync("threads.create", new { input = Input("look", liar.GetProperty("id").GetString()!) });
        Assert.Equal("attachment_not_uploaded", (await notYet.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());

        // More attachments than a message may carry.
        var ids = new List<string>();
        for (var i = 0; i <= ApiApp.MaxAttachmentsPerMessage; i++)
        {
            var created = await http.ChatKitJsonAsync("attachments.create", new { name = $"p{i}.png", size = Png.Length, mime_type = "image/png" });
            (await anonymous.PostAsync(created.GetProperty("upload_descriptor").GetProperty("url").GetString(), Multipart(Png, $"p{i}.png", "image/png")))
                .EnsureSuccessStatusCode();
            ids.Add(created.GetProperty("id").GetString()!);
        }
        using var tooMany = await http.ChatKitAsync("threads.create", new { input = Input("look", [.. ids]) });
        Assert.Equal("too_many_attachments", (await tooMany.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        var ok = await http.ChatKitStreamAsync("threads.create", new { input = Input("look", [.. ids.Take(ApiApp.MaxAttachmentsPerMessage)]) });
        Assert.Equal(ApiApp.MaxAttachmentsPerMessage, ok[1].GetProperty("item").GetProperty("attachments").GetArrayLength());
    }

    [Fact]
    public async Task AttachmentsAreTheirOwnersOnly()
    {
        using var alice = fixture.CreateClientFor(NewUser("alice"));
        using var bob = fixture.CreateClientFor(NewUser("bob"));
        using var anonymous = fixture.CreateClient();
        var created = await alice.ChatKitJsonAsync("attachments.create", new { name = "secret.png", size = Png.Length, mime_type = "image/png" });
        var id = created.GetProperty("id").GetString()!;
        (await anonymous.PostAsync(created.GetProperty("upload_descriptor").GetProperty("url").GetString(), Multipart(Png, "secret.png", "image/png")))
            .EnsureSuccessStatusCode();

        using var steal = await bob.ChatKitAsync("threads.create", new { input = Input("mine now", id) });
        await steal.ProblemAsync(HttpStatusCode.NotFound);
        using var delete = await bob.ChatKitAsync("attachments.delete", new { attachment_id = id });
        await delete.ProblemAsync(HttpStatusCode.NotFound);
        using var withoutKey = await anonymous.GetAsync($"/api/chatkit/attachments/{id}/content");
        Assert.Equal(HttpStatusCode.NotFound, withoutKey.StatusCode);

        Assert.Equal("{}", (await alice.ChatKitJsonAsync("attachments.delete", new { attachment_id = id })).GetRawText());
        Assert.False(await fixture.AttachmentStoredAsync(id));
        using var previewGone = await anonymous.GetAsync(created.GetProperty("preview_url").GetString());
        Assert.Equal(HttpStatusCode.NotFound, previewGone.StatusCode);
    }

    [Fact]
    public async Task AttachmentsBeyondTheUsersQuotaAreRefusedAndDeletingOneMakesRoom()
    {
        using var http = fixture.CreateClientFor(NewUser("quota"));
        var ids = new List<string>();
        for (var i = 0; i < ApiApp.AttachmentQuotaBytes / ApiApp.MaxAttachmentBytes; i++)
        {
            var created = await http.ChatKitJsonAsync("attachments.create",
                new { name = $"f{i}.txt", size = ApiApp.MaxAttachmentBytes, mime_type = "text/plain" });
            ids.Add(created.GetProperty("id").GetString()!);
        }

        using var over = await http.ChatKitAsync("attachments.create", new { name = "one-more.txt", size = 1, mime_type = "text/plain" });
        var problem = await over.ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("storage_quota_exceeded", problem.GetProperty("code").GetString());
        // Someone else's quota is their own.
        using var other = fixture.CreateClientFor(NewUser("quota-other"));
        await other.ChatKitJsonAsync("attachments.create", new { name = "mine.txt", size = 1, mime_type = "text/plain" });

        await http.ChatKitJsonAsync("attachments.delete", new { attachment_id = ids[0] });
        await http.ChatKitJsonAsync("attachments.create", new { name = "now-fits.txt", size = 1, mime_type = "text/plain" });
    }

    [Fact]
    public async Task AnAttachmentNeverSentIsDeletedAfterTheUploadWindowAndASentOneIsKept()
    {
        using var http = fixture.CreateClientFor(NewUser("unsent"));
        using var anonymous = fixture.CreateClient();
        async Task<JsonElement> UploadedAsync(string name)
        {
            var created = await http.ChatKitJsonAsync("attachments.create", new { name, size = Png.Length, mime_type = "image/png" });
            (await anonymous.PostAsync(created.GetProperty("upload_descriptor").GetProperty("url").GetString(), Multipart(Png, name, "image/png")))
                .EnsureSuccessStatusCode();
            return created;
        }
        var unsent = await UploadedAsync("unsent.png");
        var sent = await UploadedAsync("sent.png");
        var unsentId = unsent.GetProperty("id").GetString()!;
        var sentId = sent.GetProperty("id").GetString()!;
        await http.ChatKitStreamAsync("threads.create", new { input = Input("look", sentId) });

        // Both were created longer ago than the upload window (an hour by default).
        await fixture.ScalarAsync<int>("WITH aged AS (UPDATE attachments SET created_at = created_at - interval '2 hours' " +
                                       "WHERE id = ANY($1) RETURNING 1) SELECT count(*)::int FROM aged", (object)new[] { unsentId, sentId });

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await fixture.AttachmentStoredAsync(unsentId) && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.False(await fixture.AttachmentStoredAsync(unsentId));
        using var unsentPreview = await anonymous.GetAsync(unsent.GetProperty("preview_url").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unsentPreview.StatusCode);
        Assert.True(await fixture.AttachmentStoredAsync(sentId));
        using var sentPreview = await anonymous.GetAsync(sent.GetProperty("preview_url").GetString());
        Assert.Equal(Png, await sentPreview.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task BogusUploadsFromEveryoneTheProxyForwardsDoNotUseUpAnotherUsersUpload()
    {
        // All uploads reach the API from one address (the web app's proxy); the limit is per attachment, not per address.
        using var anonymous = fixture.CreateClient();
        var bogus = await Task.WhenAll(Enumerable.Range(0, 120).Select(async _ =>
        {
            using var response = await anonymous.PostAsync($"/api/chatkit/attachments/atc_{Guid.NewGuid().ToString("N")[..24]}/upload?key=nope",
                Multipart(Png, "x.png", "image/png"));
            return response.StatusCode;
        }));
        Assert.All(bogus, status => Assert.Equal(HttpStatusCode.NotFound, status));

        using var http = fixture.CreateClientFor(NewUser("uploader"));
        var created = await http.ChatKitJsonAsync("attachments.create", new { name = "real.png", size = Png.Length, mime_type = "image/png" });
        using var upload = await anonymous.PostAsync(created.GetProperty("upload_descriptor").GetProperty("url").GetString(),
            Multipart(Png, "real.png", "image/png"));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);

        // One attachment's own attempts are limited: wrong keys for it run out its window, not anyone else's.
        var id = created.GetProperty("id").GetString()!;
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await anonymous.PostAsync($"/api/chatkit/attachments/{id}/upload?key=wrong", Multipart(Png, "x.png", "image/png"));
            statuses.Add(response.StatusCode);
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    static MultipartFormDataContent Multipart(byte[] bytes, string name, string mime)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(mime);
        return new MultipartFormDataContent { { file, "file", name } };
    }
}
