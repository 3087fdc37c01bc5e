using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Spectre.Console;

namespace Mesh.Cli.Demo;

/// <summary>How the demo shows what happened; all console output of the demo goes through here.</summary>
public static class DemoView
{
    public static void Title(Uri gateway, string? dashboard)
    {
        AnsiConsole.Write(new Rule("[bold]Mesh demo[/]").LeftJustified());
        AnsiConsole.MarkupLine($"gateway   [blue]{Markup.Escape(gateway.ToString().TrimEnd('/'))}[/]");
        AnsiConsole.MarkupLine($"dashboard [blue]{Markup.Escape(dashboard ?? "(unknown: no .mesh/endpoints.json)")}[/]");
        AnsiConsole.WriteLine();
    }

    public static void Section(string title) => AnsiConsole.Write(new Rule($"[grey]{Markup.Escape(title)}[/]").LeftJustified());

    public static void Done(string what) => AnsiConsole.MarkupLine($"[green]✓[/] {what}");

    public static void Warn(string what) => AnsiConsole.MarkupLine($"[yellow]![/] {what}");

    public static void Fail(string what) => AnsiConsole.MarkupLine($"[red]✗[/] {what}");

    public static string Value(object? value) => $"[bold]{Markup.Escape(value?.ToString() ?? string.Empty)}[/]";

    /// <summary>A status code as gRPC spells it, e.g. RESOURCE_EXHAUSTED.</summary>
    public static string Code(StatusCode code) =>
        Value(string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}")));

    public static string Time(DateTimeOffset? time) =>
        Value(time?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture));

    public static async Task<T> StepAsync<T>(string doing, Func<Task<T>> step) =>
        await AnsiConsole.Status().StartAsync(Markup.Escape(doing), _ => step());

    public static void Orders(string title, IEnumerable<(Order Order, string? Note)> rows)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumns("order id", "status", "lines", "total", "created", "note");
        foreach (var (order, note) in rows)
        {
            var lines = string.Join(", ", order.Lines.Select(l => $"{l.Quantity}× {l.Sku}"));
            table.AddRow(
                Markup.Escape(order.OrderId),
                Markup.Escape(order.Status.ToString()),
                Markup.Escape(lines),
                Money(order.TotalCents),
                Time(order.CreatedAt),
                Markup.Escape(note ?? string.Empty));
        }

        AnsiConsole.Write(table);
    }

    public static void Products(IEnumerable<Product> products)
    {
        var table = new Table().Title("ListProducts: the catalog the order service prices from").AddColumns("sku", "price");
        foreach (var product in products)
        {
            table.AddRow(Markup.Escape(product.Sku), Money(product.UnitPriceCents));
        }

        AnsiConsole.Write(table);
    }

    /// <summary>Runs a call that must be refused with FAILED_PRECONDITION and shows how; true when it was.</summary>
    public static async Task<bool> RefusedAsync<T>(string doing, Func<Task<T>> call)
    {
        try
        {
            await StepAsync(doing, call);
            Fail($"{Markup.Escape(doing)}: accepted, but it should have been refused");
            return false;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            Done($"{Markup.Escape(doing)}: {Code(e.StatusCode)} {Markup.Escape(e.Status.Detail)}");
            return true;
        }
    }

    public static void Notifications(string title, IEnumerable<Notification> notifications)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumns("created", "kind", "order id", "text");
        foreach (var n in notifications)
        {
            table.AddRow(Time(n.CreatedAt), Markup.Escape(n.Kind), Markup.Escape(n.OrderId), Markup.Escape(n.Text));
        }

        AnsiConsole.Write(table);
    }

    public static void Trace(TraceParent trace, string? dashboard)
    {
        var id = trace.TraceId.ToHexString();
        AnsiConsole.MarkupLine($"trace id of the first PlaceOrder: {Value(id)}");
        if (dashboard is null)
        {
            Warn("dashboard address unknown: start the mesh with ./mesh.sh up to get one");
            return;
        }

        var root = dashboard.TrimEnd('/');
        AnsiConsole.MarkupLine($"  this trace  [link][blue]{Markup.Escape($"{root}/traces/detail/{id}")}[/][/]");
        AnsiConsole.MarkupLine($"  all traces  [link][blue]{Markup.Escape($"{root}/traces")}[/][/]");
    }

    public static void QuotaRejection(QuotaProbe.Outcome outcome, int maxCalls)
    {
        if (outcome.Rejection is not { } rejection)
        {
            Warn($"no RESOURCE_EXHAUSTED within {maxCalls} GetOrder calls: quotas are off or larger than that " +
                 "(see Quotas__Enabled and Quotas__Default__Capacity)");
            return;
        }

        Done($"rejected after {Value(outcome.Calls)} calls: {Code(rejection.StatusCode)} {Markup.Escape(rejection.Status.Detail)}");
        var status = rejection.GetRpcStatus();
        if (status is null)
        {
            Warn("the rejection carried no google.rpc.Status details (trailer grpc-status-details-bin)");
            return;
        }

        var table = new Table().Title("google.rpc.Status details").AddColumns("detail", "value");
        foreach (var detail in status.Details)
        {
            table.AddRow(Markup.Escape(Any.GetTypeName(detail.TypeUrl)), Markup.Escape(Describe(detail)));
        }

        AnsiConsole.Write(table);
    }

    public static void RpcFailure(RpcException e)
    {
        Fail($"{Code(e.StatusCode)} {Markup.Escape(e.Status.Detail)}");
        var violations = e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations ?? [];
        foreach (var violation in violations)
        {
            AnsiConsole.MarkupLine($"    {Markup.Escape(violation.Field)}: {Markup.Escape(violation.Description)}");
        }

        if (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            AnsiConsole.MarkupLine("    Is the mesh running? Start it with [bold]./mesh.sh up[/] in another terminal.");
        }
    }

    private static string Describe(Any detail)
    {
        if (detail.TryUnpack<RetryInfo>(out var retry))
        {
            return $"retry after {retry.RetryDelay.ToTimeSpan().TotalMilliseconds:0} ms";
        }

        if (detail.TryUnpack<QuotaFailure>(out var quota))
        {
            return string.Join("; ", quota.Violations.Select(v => $"{v.Subject}: {v.Description}"));
        }

        if (detail.TryUnpack<ErrorInfo>(out var info))
        {
            return $"{info.Reason} ({info.Domain}) {string.Join(", ", info.Metadata.Select(m => $"{m.Key}={m.Value}"))}";
        }

        return detail.ToString();
    }

    public static string Money(long cents) => $"{cents / 100}.{Math.Abs(cents % 100):00}";

    private static string Time(Timestamp? timestamp) =>
        timestamp is null ? string.Empty : timestamp.ToDateTimeOffset().ToLocalTime().ToString("HH:mm:ss.fff");
}
