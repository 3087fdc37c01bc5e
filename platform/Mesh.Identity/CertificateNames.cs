using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Identity;

/// <summary>Reads the SPIFFE id out of a certificate's subject alternative names.</summary>
public static class CertificateNames
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";

    // GeneralName ::= CHOICE { ..., uniformResourceIdentifier [6] IA5String, ... }
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>The one SPIFFE id among the certificate's URI SANs; null when it has none, or more than one.</summary>
    public static WorkloadId? WorkloadOf(X509Certificate2 certificate)
    {
        WorkloadId? found = null;
        foreach (var uri in Uris(certificate))
        {
            if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && WorkloadId.TryParse(parsed) is { } id)
            {
                if (found is not null)
                {
                    return null;
                }

                found = id;
            }
        }

        return found;
    }

    public static IEnumerable<string> Uris(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[SubjectAlternativeNameOid];
        if (extension is null)
        {
            return [];
        }

        var uris = new List<string>();
        try
        {
            var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                var tag = names.PeekTag();
                if (tag.HasSameClassAndValue(UriTag))
                {
                    uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            return [];
        }

        return uris;
    }
}
