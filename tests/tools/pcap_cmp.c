/*
 * pcap_cmp - compare the frames of two captures with libpcap: the same
 * number of frames, each with the same bytes, in order (time stamps aside).
 * Both must be Ethernet (DLT_EN10MB).
 * Usage: pcap_cmp A.pcap B.pcap. Exit 0 equal (prints the frame count),
 * 1 different or unreadable (prints the first difference).
 */
#define _DEFAULT_SOURCE
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

static pcap_t *open_cap(const char *file)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(file, err);
    if (!p) {
        fprintf(stderr, "pcap_cmp: %s: %s\n", file, err);
        return NULL;
    }
    if (pcap_datalink(p) != DLT_EN10MB) {
        fprintf(stderr, "pcap_cmp: %s: link type %d, not Ethernet\n", file, pcap_datalink(p));
        pcap_close(p);
        return NULL;
    }
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: pcap_cmp A.pcap B.pcap\n");
        return 1;
    }
    pcap_t *a = open_cap(argv[1]), *b = a ? open_cap(argv[2]) : NULL;
    if (!a || !b)
        return 1;
    unsigned long n = 0;
    int rc = 0;
    for (;;) {
        struct pcap_pkthdr *ha, *hb;
        const u_char *da, *db;
        int ra = pcap_next_ex(a, &ha, &da), rb = pcap_next_ex(b, &hb, &db);
        if (ra == PCAP_ERROR_BREAK && rb == PCAP_ERROR_BREAK)
            break;
        if (ra != 1 || rb != 1) {
            fprintf(stderr, "pcap_cmp: after %lu frames: %s\n", n,
                    ra == PCAP_ERROR_BREAK   ? "A ends first"
                    : rb == PCAP_ERROR_BREAK ? "B ends first"
                                             : "read error");
            rc = 1;
            break;
        }
        n++;
        if (ha->caplen != hb->caplen || memcmp(da, db, ha->caplen) != 0) {
            fprintf(stderr, "pcap_cmp: frame %lu differs (%u and %u bytes)\n", n, ha->caplen,
                    hb->caplen);
            rc = 1;
            break;
        }
    }
    if (!rc)
        printf("pcap_cmp: %lu frames equal\n", n);
    pcap_close(a);
    pcap_close(b);
    return rc;
}
