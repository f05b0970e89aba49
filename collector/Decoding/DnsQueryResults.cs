// Parses the QueryResults text of Microsoft-Windows-DNS-Client event 3008: entries separated by ';', each an
// address (IPv4, IPv6, or IPv4-mapped IPv6 such as ::ffff:93.184.216.34) or a record written as "type:  N value",
// where type 5 is a CNAME. Other record types and unparseable entries are passed over. Pure and table-tested.
using System.Globalization;
using System.Net;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>The CNAME chain and the addresses of one answer.</summary>
public static class DnsQueryResults
{
    private const int CnameType = 5;

    /// <summary>Parses <paramref name="results"/>; addresses are canonical (v4-mapped becomes IPv4), in answer order, once each.</summary>
    public static (IReadOnlyList<string> Cnames, IReadOnlyList<NetAddress> Addresses) Parse(string? results) => ParseChecked(results).Answer;

    /// <summary>
    /// <see cref="Parse"/>, saying what it left out: a chain past <see cref="Store.InputSanity.MaxCnameChain"/> or a
    /// CNAME past <see cref="Store.InputSanity.MaxDnsNameChars"/> (CnamesCapped), an address in a loose form such as
    /// "127.1" or "0x7f.0.0.1" (AddressesRejected): only dotted-quad IPv4 and RFC 4291 IPv6 text are addresses.
    /// </summary>
    public static ((IReadOnlyList<string> Cnames, IReadOnlyList<NetAddress> Addresses) Answer, bool CnamesCapped, bool AddressesRejected) ParseChecked(string? results)
    {
        var cnames = new List<string>();
        var addresses = new List<NetAddress>();
        bool capped = false, rejected = false;
        if (string.IsNullOrWhiteSpace(results)) return ((cnames, addresses), false, false);
        foreach (var raw in results.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.StartsWith("type:", StringComparison.OrdinalIgnoreCase))
            {
                var rest = raw["type:".Length..].TrimStart();
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && int.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var type) && type == CnameType)
                {
                    var name = rest[space..].Trim().TrimEnd('.');
                    if (name.Length > Store.InputSanity.MaxDnsNameChars || cnames.Count >= Store.InputSanity.MaxCnameChain) capped = true;
                    else if (name.Length > 0) cnames.Add(name);
                }
                continue;
            }
            if (NetAddress.TryParseStrict(raw, out var address))
            {
                if (!addresses.Contains(address)) addresses.Add(address);
            }
            else if (IPAddress.TryParse(raw, out _))
            {
                rejected = true; // an address, but in a form no DNS client writes: "1", "127.1", "0x7f.1", "1.2.3.4%eth0"
            }
        }
        return ((cnames, addresses), capped, rejected);
    }
}
