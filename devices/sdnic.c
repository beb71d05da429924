/* sdnic.c - being written (devices/sdnic.h). */
#include "sdnic.h"
