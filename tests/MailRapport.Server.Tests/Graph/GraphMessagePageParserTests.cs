using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailRapport.Core;
using MailRapport.Server.Graph;
using MailRapport.Server.Scanning;

namespace MailRapport.Server.Tests.Graph;

/// <summary>What the message page types read through System.Text.Json: the reference the hand parser is held to.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(GraphDeltaPage<GraphMessage>))]
internal sealed partial class MessagePageReferenceJson : JsonSerializerContext;

/// <summary><see cref="GraphMessagePageParser"/> reads what System.Text.Json reads, but only the automation headers.</summary>
public sealed class GraphMessagePageParserTests
{
    internal static GraphDeltaPage<GraphMessage>? Reference(string json) =>
        JsonSerializer.Deserialize(json, MessagePageReferenceJson.Default.GraphDeltaPageGraphMessage);

    private static GraphDeltaPage<GraphMessage>? Hand(string json) => GraphMessagePageParser.Parse(Encoding.UTF8.GetBytes(json));

    public static TheoryData<string, string> Pages => new()
    {
        { "realistic", """
            {"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#Collection(message)",
             "@odata.nextLink":"https://graph.microsoft.com/v1.0/me/mailFolders('AQMk')/messages/delta?$skiptoken=abc",
             "value":[
              {"@odata.type":"#microsoft.graph.message","@odata.etag":"W/\"CQAAABYAAAAR\"","id":"AAMkADNkNAAASq35xAAA=",
               "sentDateTime":"2024-03-01T09:15:00Z","receivedDateTime":"2024-03-01T09:15:02Z","isDraft":false,
               "subject":"RE: Quarterly numbers","conversationId":"AAQkAGI2","conversationIndex":"AQHYz9xXAAAAAAAAAA==",
               "internetMessageId":"<abc@contoso.com>",
               "from":{"emailAddress":{"name":"Dana Swope","address":"danas@contoso.com"}},
               "sender":{"emailAddress":{"name":"Dana Swope","address":"danas@contoso.com"}},
               "toRecipients":[{"emailAddress":{"name":"Alex Wilber","address":"alexw@contoso.com"}},{"emailAddress":{"address":"b@contoso.com"}}],
               "ccRecipients":[],"bccRecipients":[],
               "internetMessageHeaders":[
                {"name":"Received","value":"from a.contoso.com by b.contoso.com; Fri, 1 Mar 2024 09:15:00 +0000"},
                {"name":"DKIM-Signature","value":"v=1; a=rsa-sha256; d=contoso.com; b=abc=="},
                {"name":"List-Id","value":"<news.contoso.com>"},
                {"name":"list-unsubscribe","value":"<mailto:u@contoso.com>"},
                {"name":" Precedence ","value":"bulk"},
                {"name":"AUTO-SUBMITTED","value":"auto-generated"},
                {"name":"X-Microsoft-Antispam","value":"BCL:7;"},
                {"name":"X-Microsoft-Antispam-Message-Info","value":"xyz"}]},
              {"id":"AAMkADk0MGFk","@removed":{"reason":"deleted"}}]}
            """ },
        { "delta link, empty value", """{"value":[],"@odata.deltaLink":"https://graph.microsoft.com/v1.0/delta?$deltatoken=x"}""" },
        { "no value", """{"@odata.deltaLink":"d"}""" },
        { "nulls", """
            {"value":[null,{"id":null,"from":null,"sender":{"emailAddress":null},"toRecipients":null,"ccRecipients":[null,{"emailAddress":{"name":null,"address":null}}],
              "bccRecipients":[{}],"sentDateTime":null,"receivedDateTime":null,"isDraft":null,"subject":null,"conversationId":null,
              "conversationIndex":null,"internetMessageId":null,"internetMessageHeaders":null,"@removed":null}],
             "@odata.nextLink":null,"@odata.deltaLink":null}
            """ },
        { "removed without reason", """{"value":[{"@removed":{},"id":"a"},{"@removed":{"reason":"changed","extra":[1,{"a":2}]},"id":"b"}]}""" },
        { "lenient booleans", """
            {"value":[{"id":"1","isDraft":"true"},{"id":"2","isDraft":"True"},{"id":"3","isDraft":"false"},{"id":"4","isDraft":"False"},
              {"id":"5","isDraft":"TRUE"},{"id":"6","isDraft":1},{"id":"7","isDraft":{"a":[true]}},{"id":"8","isDraft":[false]},{"id":"9","isDraft":true},
              {"id":"10","isDraft":"tru\u0065"}]}
            """ },
        { "lenient dates", """
            {"value":[{"id":"1","sentDateTime":"2024-03-01T09:15:00+02:00","receivedDateTime":"2024-03-01T09:15:00.1234567Z"},
              {"id":"2","sentDateTime":"not a date","receivedDateTime":"2024-03-01"},
              {"id":"3","sentDateTime":"03/01/2024 09:15:00","receivedDateTime":"1 March 2024 09:15"},
              {"id":"4","sentDateTime":12345,"receivedDateTime":{"dateTime":"2024-03-01T09:15:00"}},
              {"id":"5","sentDateTime":["2024-03-01T09:15:00Z"],"receivedDateTime":true},
              {"id":"6","sentDateTime":"2024-03-01T09:15:00","receivedDateTime":"2024\u002d03-01T09:15:00Z"}]}
            """ },
        { "unknown properties skipped", """
            {"@odata.context":"c","value":[{"id":"a","body":{"contentType":"html","content":"<p>{\"id\":\"b\"}</p>"},
              "categories":["x",["y",{"z":null}]],"ID":"wrong case","Subject":{"not":"read"},"importance":"normal","hasAttachments":true,"flag":{"flagStatus":"notFlagged"},
              "from":{"emailAddress":{"address":"a@b.c","extra":{"k":[1,2,3]}},"type":"x"},"subject":"s","weight":1.5e10}],
             "extra":{"value":[{"id":"not this"}]},"@odata.nextLink":"n"}
            """ },
        { "escaped strings", """
            {"value":[{"id":"\u0041\u00e9","subject":"Caf\u00e9 \"quoted\" \\ back\/slash \ud83d\ude00","from":{"emailAddress":{"name":"Ren\u00e9e \"RJ\" J.","address":"r\u00e9@x.org"}},
              "\u0073ubject2":"x","conversationId":"line\nbreak","internetMessageHeaders":[
                {"name":"List-\u0049d","value":"<l\u00e9.x>"},{"name":"\u0020list-id\t","value":"v"},{"name":"X-\"Other\"","value":"o"},
                {"name":"Pr\u00e9cedence","value":"bulk"}]}]}
            """ },
        { "escaped property names", """{"value":[{"\u0069d":"a","su\u0062ject":"s","isDra\u0066t":"true"}],"@odata\u002enextLink":"n"}""" },
        { "duplicate properties", """
            {"value":[{"id":"first","id":"second","subject":"a","subject":null,"isDraft":true,"isDraft":"nope",
              "toRecipients":[{"emailAddress":{"address":"a@x"}}],"toRecipients":[{"emailAddress":{"address":"b@x","address":"c@x"}}],
              "internetMessageHeaders":[{"name":"List-Id","value":"a","value":"b"},{"name":"List-Id","name":"Received","value":"c"},
                {"name":"Received","name":"Precedence","value":"list"}]}],
             "value":[{"id":"last page wins"}],"@odata.nextLink":"n1","@odata.nextLink":"n2"}
            """ },
        { "headers in any order and shape", """
            {"value":[{"id":"a","internetMessageHeaders":[
              {"value":"<l>","name":"List-Id"},{"value":"x"},{"name":"List-Unsubscribe"},{"name":"Precedence","value":null},
              {"name":null,"value":"v"},null,{},{"name":"Auto-Submitted","value":"no","extra":[1]},{"name":"","value":"v"},{"name":"  ","value":"v"},
              {"name":"X-Microsoft-Antispam ","value":"BCL:8;"},{"name":"X-Microsoft-AntispamX","value":"BCL:9;"},{"name":"List","value":"v"}]},
             {"id":"b","internetMessageHeaders":[]}]}
            """ },
        { "whitespace everywhere", "  \r\n{ \"value\" : [ { \"id\" : \"a\" , \"isDraft\" : \"True\" } ] ,\n\t\"@odata.deltaLink\" : \"d\" }  \n" },
        { "root null", "null" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public void Reads_what_System_Text_Json_reads_but_only_the_automation_headers(string name, string json)
    {
        Assert.Equal(Describe(Reference(json), onlyAutomationHeaders: true), Describe(Hand(json), onlyAutomationHeaders: false));
        Assert.NotNull(name);
    }

    [Fact]
    public void Keeps_the_automation_headers_in_any_case_and_spacing_and_drops_the_others()
    {
        var page = Hand("""
            {"value":[{"id":"a","internetMessageHeaders":[
              {"name":"Received","value":"r"},{"name":" list-ID ","value":"l"},{"name":"DKIM-Signature","value":"d"},
              {"name":"LIST-UNSUBSCRIBE","value":"u"},{"name":"precedence","value":"bulk"},{"name":"Auto-Submitted","value":"auto-replied"},
              {"name":"x-microsoft-antispam","value":"BCL:7;"},{"name":"\u004cist-Id","value":"escaped"},{"name":"X-MS-Exchange-Organization","value":"o"}]}]}
            """)!;
        var headers = Assert.Single(page.Value!).InternetMessageHeaders!;
        Assert.Equal([" list-ID ", "LIST-UNSUBSCRIBE", "precedence", "Auto-Submitted", "x-microsoft-antispam", "List-Id"], headers.Select(h => h.Name));
        Assert.Equal(["l", "u", "bulk", "auto-replied", "BCL:7;", "escaped"], headers.Select(h => h.Value));
        Assert.Equal(AutomationMarkers.ListId | AutomationMarkers.ListUnsubscribe | AutomationMarkers.PrecedenceBulk |
            AutomationMarkers.AutoSubmitted | AutomationMarkers.Bulk, GraphInteractionMapper.Markers(headers));
    }

    [Fact]
    public void The_fields_kept_are_every_field_that_gives_a_marker()
    {
        string[] values = ["x", "bulk", "auto-generated", "BCL:9;"];
        foreach (var name in new[] { "List-Id", "List-Unsubscribe", "Precedence", "Auto-Submitted", "X-Microsoft-Antispam", "Received", "X-Other" })
        {
            bool marks = values.Any(v => AutomationHeaders.Of(name, v) != AutomationMarkers.None);
            Assert.Equal(marks, AutomationHeaders.IsField(name));
            Assert.Equal(marks, AutomationHeaders.IsField($" {name.ToLowerInvariant()}\t"));
        }
    }

    [Theory]
    [InlineData("""{"value":[{"id":"a"}],"@odata.next""")]      // cut short
    [InlineData("""{"value":[{"id":"a"}]""")]
    [InlineData("""{"value":[{"id":"a",}]}""")]                  // trailing comma
    [InlineData("""{"value":[{"id":"a"}]}}""")]                  // trailing garbage
    [InlineData("""{"value":[{"id":"a"}]} {}""")]                // a second value
    [InlineData("""{"value":[{"id":"a","body":{"x":[1,2""")]     // cut short inside a skipped property
    [InlineData("""{"value":[{"id":"a","internetMessageHeaders":[{"name":"Received","value":"x""")]
    [InlineData("""<html>busy</html>""")]
    [InlineData("""{"value":[{"id":'a'}]}""")]
    [InlineData("""{"value":[{"id":"a"} // comment""" + "\n]}")]
    [InlineData("")]
    public void Broken_json_is_a_syntax_error_wrapping_the_readers(string json)
    {
        var ex = Assert.Throws<JsonException>(() => Hand(json));
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
        var reference = Assert.Throws<JsonException>(() => Reference(json));
        Assert.IsAssignableFrom<JsonException>(reference.InnerException);
    }

    [Theory]
    [InlineData(64, false)]
    [InlineData(65, true)]
    public void Nesting_past_the_readers_depth_in_a_skipped_property_is_a_syntax_error(int depth, bool broken)
    {
        // Page, value and message are three levels; the skipped property's arrays make up the rest (64 is the limit).
        var json = "{\"value\":[{\"id\":\"a\",\"deep\":" + new string('[', depth - 3) + new string(']', depth - 3) + "}]}";
        if (!broken)
        {
            Assert.Equal("a", Assert.Single(Hand(json)!.Value!).Id);
            Assert.Equal("a", Assert.Single(Reference(json)!.Value!).Id);
            return;
        }
        Assert.IsAssignableFrom<JsonException>(Assert.Throws<JsonException>(() => Hand(json)).InnerException);
        Assert.IsAssignableFrom<JsonException>(Assert.Throws<JsonException>(() => Reference(json)).InnerException);
    }

    [Theory]
    [InlineData("""{"value":"x"}""")]
    [InlineData("""{"value":{"id":"a"}}""")]
    [InlineData("""{"value":[{"from":"x"}]}""")]
    [InlineData("""{"value":[{"id":42}]}""")]
    [InlineData("""{"value":[{"id":{"a":1}}]}""")]
    [InlineData("""{"value":[{"subject":["s"]}]}""")]
    [InlineData("""{"value":[{"toRecipients":{"emailAddress":{}}}]}""")]
    [InlineData("""{"value":[{"toRecipients":["a@b"]}]}""")]
    [InlineData("""{"value":[{"from":{"emailAddress":"a@b"}}]}""")]
    [InlineData("""{"value":[{"from":{"emailAddress":{"address":true}}}]}""")]
    [InlineData("""{"value":[{"@removed":"deleted"}]}""")]
    [InlineData("""{"value":[{"@removed":{"reason":1}}]}""")]
    [InlineData("""{"value":[{"internetMessageHeaders":{"name":"List-Id"}}]}""")]
    [InlineData("""{"value":[{"internetMessageHeaders":["List-Id: x"]}]}""")]
    [InlineData("""{"value":[{"internetMessageHeaders":[{"name":"Received","value":1}]}]}""")]
    [InlineData("""{"value":[{"internetMessageHeaders":[{"name":2,"value":"x"}]}]}""")]
    [InlineData("""{"value":["a"]}""")]
    [InlineData("""{"@odata.nextLink":{"href":"n"}}""")]
    [InlineData("""[{"id":"a"}]""")]
    [InlineData("\"page\"")]
    [InlineData("42")]
    public void Another_shape_is_an_error_without_a_reader_exception(string json)
    {
        var ex = Assert.Throws<JsonException>(() => Hand(json));
        Assert.Null(ex.InnerException);
        // System.Text.Json may wrap the reader's InvalidOperationException (a number read as a string): still no JsonException inside.
        var reference = Assert.Throws<JsonException>(() => Reference(json));
        Assert.False(reference.InnerException is JsonException);
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_reported_as_System_Text_Json_reports_it()
    {
        byte[] json = [.. Encoding.ASCII.GetBytes("{\"value\":[{\"id\":\"a"), 0xC3, 0x28, .. Encoding.ASCII.GetBytes("\"}]}")];
        var ex = Assert.Throws<JsonException>(() => GraphMessagePageParser.Parse(json));
        var reference = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, MessagePageReferenceJson.Default.GraphDeltaPageGraphMessage));
        Assert.Equal(reference.InnerException is JsonException, ex.InnerException is JsonException);
    }

    [Theory]
    [InlineData("""{"value":[{"id":"a"}],"@odata.nextLink":"n"}""", "ok")]
    [InlineData("""{"value":[{"id":"a"}],"@odata.next""", "malformed")]
    [InlineData("""{"value":[{"id":"a"}]}}""", "malformed")]
    [InlineData("""<html>busy</html>""", "malformed")]
    [InlineData("""{"value":"not a list"}""", "shape")]
    [InlineData("""{"value":[{"from":"x"}]}""", "shape")]
    public void The_throttling_handler_retries_broken_pages_and_hands_back_other_shapes(string json, string expected)
    {
        var body = new ParsedJsonBody(bytes => GraphMessagePageParser.Parse(bytes));
        var unreadable = body.Parse(Encoding.UTF8.GetBytes(json));
        var outcome = unreadable is not null ? "malformed" : body.ShapeError is not null ? "shape" : "ok";
        Assert.Equal(expected, outcome);
        if (outcome == "ok") Assert.Equal("a", Assert.Single(((GraphDeltaPage<GraphMessage>)body.Value!).Value!).Id);
    }

    /// <summary>Every field, in order; with <paramref name="onlyAutomationHeaders"/>, the headers the hand parser keeps.</summary>
    internal static string Describe(GraphDeltaPage<GraphMessage>? page, bool onlyAutomationHeaders)
    {
        if (page is null) return "(null page)";
        var s = new StringBuilder();
        s.Append("next=").Append(Text(page.NextLink)).Append(" delta=").Append(Text(page.DeltaLink)).AppendLine();
        if (page.Value is null) return s.Append("value=(null)").ToString();
        foreach (var m in page.Value)
        {
            if (m is null) { s.AppendLine("(null message)"); continue; }
            s.Append("id=").Append(Text(m.Id))
                .Append(" removed=").Append(m.Removed is null ? "(null)" : Text(m.Removed.Reason))
                .Append(" from=").Append(Recipient(m.From)).Append(" sender=").Append(Recipient(m.Sender))
                .Append(" to=").Append(Recipients(m.ToRecipients)).Append(" cc=").Append(Recipients(m.CcRecipients))
                .Append(" bcc=").Append(Recipients(m.BccRecipients))
                .Append(" sent=").Append(Date(m.SentDateTime)).Append(" received=").Append(Date(m.ReceivedDateTime))
                .Append(" conversation=").Append(Text(m.ConversationId)).Append('/').Append(Text(m.ConversationIndex))
                .Append(" internetMessageId=").Append(Text(m.InternetMessageId))
                .Append(" draft=").Append(m.IsDraft?.ToString() ?? "(null)")
                .Append(" subject=").Append(Text(m.Subject))
                .Append(" headers=");
            if (m.InternetMessageHeaders is null) s.Append("(null)");
            else
                foreach (var h in m.InternetMessageHeaders)
                    if (!onlyAutomationHeaders || (h is not null && AutomationHeaders.IsField(h.Name)))
                        s.Append('[').Append(Text(h!.Name)).Append(':').Append(Text(h.Value)).Append(']');
            s.AppendLine();
        }
        return s.ToString();

        static string Text(string? text) => text is null ? "(null)" : $"\"{text}\"";
        static string Date(DateTimeOffset? date) => date?.ToString("o", CultureInfo.InvariantCulture) ?? "(null)";
        static string Recipient(GraphRecipient? r) => r is null ? "(null)"
            : r.EmailAddress is null ? "{(null)}" : $"{{{Text(r.EmailAddress.Name)} {Text(r.EmailAddress.Address)}}}";
        static string Recipients(List<GraphRecipient>? list) => list is null ? "(null)" : $"[{string.Join(",", list.Select(Recipient))}]";
    }
}

/// <summary>A body the throttling handler did not parse (here: no handler at all) is read whole and parsed by the same parser.</summary>
public sealed class GraphPageReaderFallbackTests
{
    private sealed class FixedResponse(string body, string? mediaType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (mediaType is not null) content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content });
        }
    }

    private static Task<GraphDeltaPage<GraphMessage>> ReadAsync(string body, string? mediaType)
    {
        var graph = new Microsoft.Graph.GraphServiceClient(new HttpClient(new FixedResponse(body, mediaType)),
            new Microsoft.Kiota.Abstractions.Authentication.AnonymousAuthenticationProvider(), "https://graph.example/v1.0");
        var request = graph.Users["u"].MailFolders["f"].Messages.Delta.ToGetRequestInformation();
        return new GraphPageReader(graph).ReadAsync<GraphMessage>(request, GraphMessagePageParser.Parse, CancellationToken.None);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/octet-stream")]
    [InlineData(null)]
    public async Task An_unlabelled_page_is_parsed_by_hand(string? mediaType)
    {
        var page = await ReadAsync("""
            {"value":[{"id":"a","isDraft":"true","internetMessageHeaders":[{"name":"Received","value":"r"},{"name":"List-Id","value":"<l>"}]}],
             "@odata.deltaLink":"d"}
            """, mediaType);
        var message = Assert.Single(page.Value!);
        Assert.Equal(("a", true, "d"), (message.Id, message.IsDraft, page.DeltaLink));
        Assert.Equal(["List-Id"], message.InternetMessageHeaders!.Select(h => h.Name));
    }

    [Theory]
    [InlineData("""{"value":"x"}""", "not the expected JSON shape")]
    [InlineData("""{"value":[{"id":"a"}""", "not the expected JSON shape")]
    [InlineData("null", "returned null")]
    public async Task An_unreadable_unlabelled_page_keeps_its_error_message(string body, string message)
    {
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(body, "text/plain"));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
