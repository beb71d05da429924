/*
 * pcap_gen - write the captures the ndisdma command's tests read, with
 * libpcap: good and bad inputs for `ndisdma run --pcap-in`.
 *
 * Usage: pcap_gen DIR. Writes into DIR:
 *   good.pcap       20 Ethernet frames of 14..1514 bytes (sizes vary)
 *   small.pcap      2 short Ethernet frames (for the sigrok check)
 *   raw.pcap        link type DLT_RAW (IP), one frame: wrong link type
 *   big.pcap        a 1515-byte frame: longer than Ethernet allows here
 *   empty.pcap      a frame of 0 bytes
 *   partial.pcap    a frame captured partially (caplen 100 of len 200)
 *   noframes.pcap   a capture header and no frame
 *   truncated.pcap  good.pcap cut in the middle of its last record
 *   notpcap.pcap    text, not a capture
 * Exit 0, or 1 with a message.
 */
#define _DEFAULT_SOURCE
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char path[4096];

static const char *at(const char *dir, const char *name)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void frame(uint8_t *buf, size_t len, unsigned seq)
{
    static const uint8_t hdr[14] = {0x02, 0x00, 0x5D, 0x00, 0x00, 0x01, 0x02,
                                    0x00, 0x5D, 0x00, 0x00, 0x09, 0x88, 0xB5};
    for (size_t i = 0; i < len; i++)
        buf[i] = i < sizeof hdr ? hdr[i] : (uint8_t)((size_t)seq * 31 + i * 7);
}

/* One capture of @n records; lens[i] is caplen, wire[i] len (0 = caplen). */
static int write_cap(const char *file, int dlt, size_t n, const unsigned *lens,
                     const unsigned *wire)
{
    pcap_t *dead = pcap_open_dead(dlt, 65535);
    if (!dead)
        return -1;
    pcap_dumper_t *d = pcap_dump_open(dead, file);
    if (!d) {
        fprintf(stderr, "pcap_gen: %s: %s\n", file, pcap_geterr(dead));
        pcap_close(dead);
        return -1;
    }
    static uint8_t buf[2000];
    for (size_t i = 0; i < n; i++) {
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof h);
        h.ts.tv_sec = 1;
        h.ts.tv_usec = (suseconds_t)(i * 1000);
        h.caplen = lens[i];
        h.len = wire && wire[i] ? wire[i] : lens[i];
        frame(buf, lens[i], (unsigned)i);
        pcap_dump((u_char *)d, &h, buf);
    }
    pcap_dump_close(d);
    pcap_close(dead);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_gen DIR\n");
        return 1;
    }
    const char *dir = argv[1];
    unsigned good[20];
    for (unsigned i = 0; i < 20; i++)
        good[i] = 14 + (i * 977u) % 1501u;
    good[0] = 60;
    good[1] = 1514;
    good[2] = 14;
    unsigned small[2] = {60, 64};
    unsigned one_raw[1] = {40};
    unsigned big[2] = {60, 1515};
    unsigned empty[2] = {60, 0};
    unsigned partial[2] = {100, 100}, partial_wire[2] = {0, 200};
    if (write_cap(at(dir, "good.pcap"), DLT_EN10MB, 20, good, NULL) ||
        write_cap(at(dir, "small.pcap"), DLT_EN10MB, 2, small, NULL) ||
        write_cap(at(dir, "raw.pcap"), DLT_RAW, 1, one_raw, NULL) ||
        write_cap(at(dir, "big.pcap"), DLT_EN10MB, 2, big, NULL) ||
        write_cap(at(dir, "empty.pcap"), DLT_EN10MB, 2, empty, NULL) ||
        write_cap(at(dir, "partial.pcap"), DLT_EN10MB, 2, partial, partial_wire) ||
        write_cap(at(dir, "noframes.pcap"), DLT_EN10MB, 0, NULL, NULL))
        return 1;
    /* truncated.pcap: good.pcap without the last 100 bytes of its last frame. */
    FILE *in = fopen(at(dir, "good.pcap"), "rb");
    if (!in)
        return 1;
    static uint8_t all[1 << 16];
    size_t n = fread(all, 1, sizeof all, in);
    fclose(in);
    FILE *out = fopen(at(dir, "truncated.pcap"), "wb");
    if (!out || n < 200 || fwrite(all, 1, n - 100, out) != n - 100)
        return 1;
    fclose(out);
    out = fopen(at(dir, "notpcap.pcap"), "wb");
    if (!out)
        return 1;
    fputs("this is not a capture\n", out);
    fclose(out);
    return 0;
}
