// A thin C ABI over the Verilated simulation top (module `top`, exported by
// j1k-hdl's sim_top_verilog). One call per clock cycle is cheap enough
// (~20 M calls/s); all policy (UART, limits, lockstep) lives on the Rust side.
#include <cstdint>
#include <cstddef>
#include "Vtop.h"
#include "verilated.h"

extern "C" {

struct j1k_rtl_obs {
    uint16_t pc, insn, t, n, r;
    uint16_t ram_waddr, ram_wdata;
    uint16_t faults;
    uint16_t blk_waddr, blk_wdata;
    uint16_t slot_waddr, slot_wdata;
    uint16_t breg[8];
    uint16_t nreg[4];
    uint8_t dsp, rdepth, reboot, ram_we;
    uint8_t uart_tx_strobe, uart_tx_data, uart_rx_strobe, uart_rx_look;
    uint8_t leds, halt, cur_b, cur_n, key_busy, blk_we, blk_wmask, slot_we;
};

void *j1k_rtl_new(void) {
    Verilated::randReset(0);  // every register starts at 0, as docs/isa.md says
    Vtop *m = new Vtop;
    m->clock = 0;
    m->reset = 1;
    m->eval();
    return m;
}

void j1k_rtl_free(void *p) { delete static_cast<Vtop *>(p); }

void j1k_rtl_eval(void *p) { static_cast<Vtop *>(p)->eval(); }

// One rising edge, then settle: the model is now in the next cycle.
void j1k_rtl_tick(void *p) {
    Vtop *m = static_cast<Vtop *>(p);
    m->clock = 1;
    m->eval();
    m->clock = 0;
    m->eval();
}

// Holds reset, writes the image through the load port, releases reset: the
// model is then in cycle 0, the reboot cycle.
void j1k_rtl_reset_load(void *p, const uint16_t *words, size_t n) {
    Vtop *m = static_cast<Vtop *>(p);
    m->reset = 1;
    m->uart_rx_valid = 0;
    m->uart_rx_data = 0;
    j1k_rtl_tick(p);
    for (size_t a = 0; a < 4096; a++) {
        m->load_we = 1;
        m->load_addr = a;
        m->load_data = a < n ? words[a] : 0;
        j1k_rtl_tick(p);
    }
    m->load_we = 0;
    j1k_rtl_tick(p);
    m->reset = 0;
    m->eval();
}

void j1k_rtl_set_rx(void *p, int valid, int data) {
    Vtop *m = static_cast<Vtop *>(p);
    m->uart_rx_valid = valid ? 1 : 0;
    m->uart_rx_data = data & 0xff;
    m->eval();
}

void j1k_rtl_observe(void *p, j1k_rtl_obs *o) {
    Vtop *m = static_cast<Vtop *>(p);
    o->pc = m->pc;
    o->insn = m->insn;
    o->t = m->t;
    o->n = m->n;
    o->r = m->r;
    o->dsp = m->dsp;
    o->rdepth = m->rdepth;
    o->reboot = m->reboot;
    o->ram_we = m->ram_we;
    o->ram_waddr = m->ram_waddr;
    o->ram_wdata = m->ram_wdata;
    o->uart_tx_strobe = m->uart_tx_strobe;
    o->uart_tx_data = m->uart_tx_data;
    o->uart_rx_strobe = m->uart_rx_strobe;
    o->uart_rx_look = m->uart_rx_look;
    o->leds = m->leds;
    o->halt = m->halt;
    o->cur_b = m->cur_b;
    o->cur_n = m->cur_n;
    o->breg[0] = m->breg0; o->breg[1] = m->breg1; o->breg[2] = m->breg2; o->breg[3] = m->breg3;
    o->breg[4] = m->breg4; o->breg[5] = m->breg5; o->breg[6] = m->breg6; o->breg[7] = m->breg7;
    o->nreg[0] = m->nreg0; o->nreg[1] = m->nreg1; o->nreg[2] = m->nreg2; o->nreg[3] = m->nreg3;
    o->faults = m->faults;
    o->key_busy = m->key_busy;
    o->blk_we = m->blk_we;
    o->blk_wmask = m->blk_wmask;
    o->blk_waddr = m->blk_waddr;
    o->blk_wdata = m->blk_wdata;
    o->slot_we = m->slot_we;
    o->slot_waddr = m->slot_waddr;
    o->slot_wdata = m->slot_wdata;
}

}  // extern "C"
