// A thin C ABI over the Verilated simulation top (module `top`, exported by
// j1k-hdl's sim_top_verilog). The cycle loop lives here: `j1k_rtl_run` runs
// the model until a cycle that needs the host (a UART byte, a look at RX that
// has to ask the console, a halt) or a cycle count, optionally recording what
// every cycle showed. All policy (UART, limits, lockstep) lives on the Rust
// side, which runs the cycles that need it one at a time (`j1k_rtl_tick`).
#include <cstdint>
#include <cstddef>
#include <cstdlib>
#include "Vtop.h"
#include "Vtop___024root.h"
#include "verilated.h"

// Verilator's eval() first re-evaluates the logic driven by the top's inputs
// (its 'ico' region), then runs the clock edges, which re-evaluate whatever
// depends on the registers they change. In the cycle loop no input but the
// clock changes, so the input region would compute what it computed the last
// time: for the Verilator version whose generated scheduler is reproduced below
// (5.006), an edge runs the edge regions alone (Verilator itself later skips the
// region when no input changed: verilator/verilator#7784). Every change of
// another input (RX, reset, the load port) is followed by a full eval(); other
// Verilator versions use eval() throughout.
#if defined(VERILATOR_VERSION_INTEGER) && VERILATOR_VERSION_INTEGER >= 5006000 && \
    VERILATOR_VERSION_INTEGER < 5007000
#define J1K_EDGE_EVAL 1
void Vtop___024root___eval_triggers__act(Vtop___024root *vlSelf);
void Vtop___024root___eval_act(Vtop___024root *vlSelf);
void Vtop___024root___eval_nba(Vtop___024root *vlSelf);
#else
#define J1K_EDGE_EVAL 0
#endif

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

}  // extern "C"

namespace {

struct Model {
    Vtop top;
    // Evaluate every edge with eval() (for the test that the shortcut changes nothing).
    bool full_eval = false;
};

// eval() without the input region (see above): the generated Vtop___024root___eval
// of Verilator 5.006 minus its first loop. Valid only when no input but the clock
// changed since the last eval().
#if J1K_EDGE_EVAL
void eval_edges(Vtop___024root *r) {
    for (uint32_t nba_iter = 0;; nba_iter++) {
        r->__VnbaTriggered.clear();
        r->__VactIterCount = 0;
        r->__VactContinue = 1;
        while (r->__VactContinue) {
            r->__VactContinue = 0;
            Vtop___024root___eval_triggers__act(r);
            if (r->__VactTriggered.any()) {
                r->__VactContinue = 1;
                if (++r->__VactIterCount > 100) abort();  // eval() reports "did not converge"
                r->__VnbaTriggered.set(r->__VactTriggered);
                Vtop___024root___eval_act(r);
            }
        }
        if (!r->__VnbaTriggered.any()) return;
        if (nba_iter > 100) abort();
        Vtop___024root___eval_nba(r);
    }
}
#endif

inline void edge(Model *p) {
#if J1K_EDGE_EVAL
    if (!p->full_eval) {
        eval_edges(p->top.rootp);
        return;
    }
#endif
    p->top.eval();
}

// One rising edge, then the falling one (the code RAM writes on it): the model
// is now in the next cycle, its outputs settled.
inline void tick(Model *p) {
    p->top.clock = 1;
    edge(p);
    p->top.clock = 0;
    edge(p);
}

inline void observe(const Vtop *m, j1k_rtl_obs *o) {
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

// The current cycle needs the host (lib.rs, Rtl::step): it sends a byte, consumes
// the received byte, looks at RX while no byte is valid and input may still come,
// or halts.
inline bool needs_host(const Vtop *m, bool rx_ended) {
    return m->uart_tx_strobe || m->halt || (m->uart_rx_strobe && m->uart_rx_valid) ||
           (m->uart_rx_look && !m->uart_rx_valid && !rx_ended);
}

}  // namespace

extern "C" {

void *j1k_rtl_new(void) {
    Verilated::randReset(0);  // every register starts at 0, as docs/isa.md says
    Model *p = new Model;
    p->top.clock = 0;
    p->top.reset = 1;
    p->top.eval();
    return p;
}

void j1k_rtl_free(void *p) { delete static_cast<Model *>(p); }

void j1k_rtl_set_full_eval(void *p, int on) { static_cast<Model *>(p)->full_eval = on != 0; }

// Runs the current cycle: the model is then in the next one.
void j1k_rtl_tick(void *p) { tick(static_cast<Model *>(p)); }

// Holds reset, writes the image through the load port, releases reset: the
// model is then in cycle 0, the reboot cycle.
void j1k_rtl_reset_load(void *vp, const uint16_t *words, size_t n) {
    Model *p = static_cast<Model *>(vp);
    Vtop *m = &p->top;
    m->reset = 1;
    m->uart_rx_valid = 0;
    m->uart_rx_data = 0;
    m->eval();
    tick(p);
    for (size_t a = 0; a < 4096; a++) {
        m->load_we = 1;
        m->load_addr = a;
        m->load_data = a < n ? words[a] : 0;
        m->eval();
        tick(p);
    }
    m->load_we = 0;
    m->eval();
    tick(p);
    m->reset = 0;
    m->eval();
}

// Drives the receiver's outputs into the core (RX valid and the data register).
void j1k_rtl_set_rx(void *p, int valid, int data) {
    Vtop *m = &static_cast<Model *>(p)->top;
    uint8_t v = valid ? 1 : 0, d = data & 0xff;
    if (m->uart_rx_valid == v && m->uart_rx_data == d) return;
    m->uart_rx_valid = v;
    m->uart_rx_data = d;
    m->eval();
}

void j1k_rtl_observe(void *p, j1k_rtl_obs *o) { observe(&static_cast<Model *>(p)->top, o); }

// Runs at most `max` cycles, stopping before a cycle that needs the host
// (*event = 1; `rx_ended`: input has ended, so a look at RX asks nothing).
// With `trace`, what each cycle run showed goes to trace[0..n] (room for `max`;
// a top with several cores would write its cores' observations in turn).
// Returns n, the cycles run.
uint64_t j1k_rtl_run(void *vp, uint64_t max, int rx_ended, j1k_rtl_obs *trace, int *event) {
    Model *p = static_cast<Model *>(vp);
    const Vtop *m = &p->top;
    const bool ended = rx_ended != 0;
    uint64_t n = 0;
    *event = 0;
    while (n < max) {
        if (needs_host(m, ended)) {
            *event = 1;
            break;
        }
        if (trace) observe(m, &trace[n]);
        tick(p);
        n++;
    }
    return n;
}

}  // extern "C"
