/*
 * sdnic_regs.h - register map of the SD-1 system-DMA Ethernet controller
 * (the reference ISA NIC of ndisdma; model in devices/sdnic.c, documented in
 * docs/devices/sdnic.md).
 *
 * Concept. This header is the "datasheet" part that a driver for the card
 * and the model of the card both read: port offsets, bits and limits, and
 * nothing else (no includes, no types), so a miniport that includes it still
 * sees only <ndis.h>. The card decodes SDNIC_IO_LENGTH ports from its base.
 *
 * The card has one system DMA channel shared by transmit and receive (as
 * IrDA fast-infrared controllers do), so at most one of its DMA operations
 * runs at a time: a transmit (memory -> card, started by CMD_TX_GO) or a
 * receive (card -> memory, started by CMD_RX_GO).
 */
#ifndef SDNIC_REGS_H
#define SDNIC_REGS_H

#define SDNIC_IO_LENGTH 0x20 /* ports decoded from the base */

/* ---- port offsets from the I/O base ---- */
#define SDNIC_REG_CMD      0x00 /* W: command (CMD_*); R: status (ST_*) */
#define SDNIC_REG_ISR      0x01 /* R: interrupt causes (ISR_*); W: 1 clears the bit */
#define SDNIC_REG_IMR      0x02 /* R/W: interrupt mask, 1 enables the cause */
#define SDNIC_REG_CONFIG   0x03 /* R/W: configuration (CFG_*) */
#define SDNIC_REG_TXLEN_LO 0x04 /* R/W: length of the frame CMD_TX_GO sends */
#define SDNIC_REG_TXLEN_HI 0x05
#define SDNIC_REG_RXLEN_LO 0x06 /* R: length of the frame at the head of the RX FIFO (0: empty) */
#define SDNIC_REG_RXLEN_HI 0x07
#define SDNIC_REG_MAC0     0x08 /* R/W: station address, MAC0..MAC5 (0x08-0x0D) */
#define SDNIC_REG_RXCOUNT  0x0E /* R: frames in the RX FIFO (saturates at 255) */
#define SDNIC_REG_ID       0x0F /* R: SDNIC_ID */
#define SDNIC_REG_RATE0    0x10 /* R: line rate in kbit/s, 32 bits little-endian, */
#define SDNIC_REG_RATE1    0x11 /*    RATE0..RATE3 (0x10-0x13); 0 = no line rate limit */
#define SDNIC_REG_RATE2    0x12
#define SDNIC_REG_RATE3    0x13
#define SDNIC_REG_RXSTAT   0x14 /* R: status of the last completed receive (RXS_*) */
#define SDNIC_REG_WIDTH    0x15 /* R: DMA unit in bytes: 1 (channels 0-3) or 2 (5-7) */
/* 0x16-0x1F read 0xFF and ignore writes */

#define SDNIC_ID 0x5D

/* ---- SDNIC_REG_CMD, write ---- */
#define SDNIC_CMD_TX_GO      0x01 /* transmit TXLEN bytes: assert DREQ, take them by DMA */
#define SDNIC_CMD_RX_GO      0x02 /* receive the head frame of the RX FIFO by DMA */
#define SDNIC_CMD_RX_ENABLE  0x04 /* accept frames from the wire into the RX FIFO */
#define SDNIC_CMD_RX_DISABLE 0x08 /* drop frames from the wire (counted) */
#define SDNIC_CMD_ABORT      0x10 /* end the DMA operation in progress, drop DREQ */
#define SDNIC_CMD_RESET      0x80 /* power-on state: FIFOs empty, ISR/IMR 0, RX disabled */

/* ---- SDNIC_REG_CMD, read: status ---- */
#define SDNIC_ST_TX_DMA   0x01 /* a transmit DMA operation is in progress */
#define SDNIC_ST_RX_DMA   0x02 /* a receive DMA operation is in progress */
#define SDNIC_ST_RX_ON    0x04 /* receiver enabled */
#define SDNIC_ST_LINK     0x08 /* link up (loopback, or a peer is connected) */
#define SDNIC_ST_TX_FULL  0x10 /* transmit FIFO full: CMD_TX_GO is refused (ISR_TX_ERR) */
#define SDNIC_ST_RX_AVAIL 0x20 /* RX FIFO not empty */

/* ---- SDNIC_REG_ISR / SDNIC_REG_IMR ---- */
#define SDNIC_ISR_TX_DONE    0x01 /* transmit DMA took all TXLEN bytes (terminal count) */
#define SDNIC_ISR_RX_READY   0x02 /* a frame waits in the RX FIFO */
#define SDNIC_ISR_RX_DONE    0x04 /* receive DMA ended: end of frame (EOP) or terminal count */
#define SDNIC_ISR_TX_ERR     0x08 /* transmit failed: bad TXLEN, FIFO full, busy, or TC early */
#define SDNIC_ISR_RX_ERR     0x10 /* receive failed: nothing to receive, busy, or truncated */
#define SDNIC_ISR_RX_OVERRUN 0x20 /* a frame from the wire found the RX FIFO full: dropped */
#define SDNIC_ISR_ALL        0x3F

/* ---- SDNIC_REG_CONFIG ---- */
#define SDNIC_CFG_LOOPBACK 0x01 /* transmitted frames come back into the RX FIFO */

/* ---- SDNIC_REG_RXSTAT: the last completed receive ---- */
#define SDNIC_RXS_OK        0x01 /* the whole frame was written to memory */
#define SDNIC_RXS_TRUNCATED 0x02 /* terminal count came before the end of the frame */
#define SDNIC_RXS_ODD       0x04 /* 16-bit channel, odd length: the last word's high byte is pad */

/* ---- limits ---- */
#define SDNIC_MIN_FRAME     1    /* bytes, CMD_TX_GO refuses shorter (TXLEN 0) */
#define SDNIC_MAX_FRAME     1514 /* bytes, Ethernet header + 1500 (no FCS) */
#define SDNIC_WIRE_OVERHEAD 24   /* preamble+SFD 8, FCS 4, inter-frame gap 12: bytes of line time */

#endif /* SDNIC_REGS_H */
