/*
 * Register and bit names of the Intel 8237A, as the datasheet (231466) names
 * them, and the PC/AT port map (IBM 5170 Technical Reference).
 */
#ifndef ND_HW_REGS_H
#define ND_HW_REGS_H

/* Register offsets inside one 8237 (its A3-A0 inputs). */
enum {
    I8237_REG_ADDR0 = 0x0,   /* even offsets 0-6: address of channel n/2 */
    I8237_REG_COUNT0 = 0x1,  /* odd offsets 1-7: word count of channel n/2 */
    I8237_REG_STATUS = 0x8,  /* read: status */
    I8237_REG_COMMAND = 0x8, /* write: command */
    I8237_REG_REQUEST = 0x9,
    I8237_REG_SINGLE_MASK = 0xA,
    I8237_REG_MODE = 0xB,
    I8237_REG_CLEAR_FF = 0xC,
    I8237_REG_TEMPORARY = 0xD,    /* read: temporary register */
    I8237_REG_MASTER_CLEAR = 0xD, /* write: master clear */
    I8237_REG_CLEAR_MASK = 0xE,
    I8237_REG_ALL_MASK = 0xF,
};

/* Command register (H10). */
enum {
    CMD_MEM_TO_MEM = 1u << 0,
    CMD_CH0_ADDR_HOLD = 1u << 1,
    CMD_DISABLE = 1u << 2,
    CMD_COMPRESSED = 1u << 3,
    CMD_ROTATING = 1u << 4,
    CMD_EXT_WRITE = 1u << 5,
    CMD_DREQ_LOW = 1u << 6,
    CMD_DACK_HIGH = 1u << 7,
};

/* Mode register (H9). */
enum {
    MODE_CHANNEL_MASK = 0x03,
    MODE_TYPE_MASK = 0x0C,
    MODE_TYPE_VERIFY = 0x00,
    MODE_TYPE_WRITE = 0x04, /* device -> memory */
    MODE_TYPE_READ = 0x08,  /* memory -> device */
    MODE_TYPE_ILLEGAL = 0x0C,
    MODE_AUTOINIT = 0x10,
    MODE_DECREMENT = 0x20,
    MODE_SEL_MASK = 0xC0,
    MODE_DEMAND = 0x00,
    MODE_SINGLE = 0x40,
    MODE_BLOCK = 0x80,
    MODE_CASCADE = 0xC0,
};

/* Request and single-mask registers (H12, H13). */
enum {
    REQ_CHANNEL_MASK = 0x03,
    REQ_SET = 0x04,
    MASK_CHANNEL_MASK = 0x03,
    MASK_SET = 0x04,
};

/* Status register (H11). */
enum {
    STATUS_TC_MASK = 0x0F,
    STATUS_REQ_SHIFT = 4,
};

/* PC/AT wiring (H1-H3). */
enum {
    AT_DMA1_BASE = 0x00, /* ports 0x00-0x0F, A0-A3 = SA0-SA3 */
    AT_DMA1_LAST = 0x0F,
    AT_DMA2_BASE = 0xC0, /* even ports 0xC0-0xDE, A0-A3 = SA1-SA4 */
    AT_DMA2_LAST = 0xDF,
    AT_PAGE_BASE = 0x80, /* 0x80-0x8F page registers and latches */
    AT_PAGE_LAST = 0x8F,
};

#endif /* ND_HW_REGS_H */
