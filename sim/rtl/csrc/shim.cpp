// A thin C ABI over the Verilated simulation tops (module `top`, exported by
// j1k-hdl's sim_top_verilog for one core, multi_sim_top_verilog for two, and
// ctx_sim_top_verilog for four: the contexts of one tile circuit). The cycle loop lives here: `j1k_rtl_run` runs the model until a cycle
// that needs the host (a UART byte, a look at RX that has to ask the console,
// every running core halting) or a cycle count, optionally recording what
// every cycle showed. All policy (UART, limits, lockstep) lives on the Rust
// side, which runs the cycles that need it one at a time (`j1k_rtl_tick`).
#include <cstdint>
#include <cstddef>
#include <cstdlib>
#include "Vtop.h"
#include "Vtop___024root.h"
#include "Vm2.h"
#include "Vc4.h"
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

// The program's wait for input after input ended (j1k_sim::uart::Wait; `active` = Some):
// the loop extends it by every look at the empty receiver, as RxPort::looked_empty does.
struct j1k_rtl_wait {
    uint64_t since, last;
    uint32_t active;
};

// j1k_sim::lockstep::TileUnitObs and UnitObs, field for field.
struct j1k_rtl_tile_unit {
    uint16_t tags[4];
    uint16_t req_blk, alloc_idx;
    uint8_t states[4], snoops[4];
    uint8_t vptr, req_v, req_need, locked, alloc_v, alloc_ok;
};

struct j1k_rtl_unit {
    j1k_rtl_tile_unit tiles[8];
    uint16_t x_block, x_left;
    uint8_t active, x_kind, x_tile, x_line, x_writeback, x_source_v, x_source, x_age, last;
};

}  // extern "C"

#include "obs_gen.h"

namespace {

// A model behind the C ABI, whichever top it is.
struct Sim {
    int cores = 1;
    // Evaluate every edge with eval() (for the test that the shortcut changes nothing).
    bool full_eval = false;
    virtual ~Sim() {}
    virtual void tick() = 0;
    virtual void reset_load(const uint16_t *words, size_t n) = 0;
    virtual void reset() = 0;
    virtual void set_rx(int valid, int data) = 0;
    virtual void observe(int k, j1k_rtl_obs *o) = 0;
    virtual void observe_unit(j1k_rtl_unit *u) = 0;
    virtual uint32_t running() = 0;
    virtual bool halting() = 0;
    virtual uint64_t run(uint64_t max, bool rx_ended, j1k_rtl_obs *trace, uint32_t *runs,
                         j1k_rtl_unit *units, j1k_rtl_wait *wait, uint64_t cycle0,
                         uint64_t gap, int *event) = 0;
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

// An edge of model V: eval(), or for the one-core top the edge regions alone.
template <class V> inline void edge(V *m, bool) { m->eval(); }
template <> inline void edge<Vtop>(Vtop *m, bool full_eval) {
#if J1K_EDGE_EVAL
    if (!full_eval) {
        eval_edges(m->rootp);
        return;
    }
#endif
    m->eval();
}

// The current cycle needs the host (lib.rs, Rtl::step): it sends a byte, consumes
// the received byte, looks at RX while no byte is valid and input may still come,
// or every running core halts.
template <class V> inline bool needs_host(const V *m, bool rx_ended) {
    return m->uart_tx_strobe || halting(m) || (m->uart_rx_strobe && m->uart_rx_valid) ||
           (m->uart_rx_look && !m->uart_rx_valid && !rx_ended);
}

// With input ended, a look at the empty receiver in cycle `now` extends the wait (or
// begins one, `gap` cycles after the last look).
inline void note_look(j1k_rtl_wait *wait, uint64_t now, uint64_t gap) {
    if (wait->active && now - wait->last <= gap) {
        wait->last = now;
    } else {
        wait->active = 1;
        wait->since = wait->last = now;
    }
}

// Reset asserted, the receiver empty.
template <class V> void hold_reset_(V &top) {
    top.reset = 1;
    top.uart_rx_valid = 0;
    top.uart_rx_data = 0;
    top.eval();
}

template <class V> void set_rx_(V &top, int valid, int data) {
    uint8_t v = valid ? 1 : 0, d = data & 0xff;
    if (top.uart_rx_valid == v && top.uart_rx_data == d) return;
    top.uart_rx_valid = v;
    top.uart_rx_data = d;
    top.eval();
}

template <class V> struct Model : Sim {
    V top;

    Model(int n) {
        cores = n;
        top.clock = 0;
        top.reset = 1;
        hold_inputs(&top);
        top.eval();
    }

    // One rising edge, then the falling one (the code RAM writes on it): the model
    // is now in the next cycle, its outputs settled.
    inline void tick_() {
        top.clock = 1;
        edge(&top, full_eval);
        top.clock = 0;
        edge(&top, full_eval);
    }
    void tick() override { tick_(); }

    void hold_reset() { hold_reset_(top); }

    // Reset released: the model is then in cycle 0, the reboot cycle.
    void release_reset() {
        top.reset = 0;
        top.eval();
    }

    // Holds reset and writes the image through the load port.
    void reset_load(const uint16_t *words, size_t n) override {
        hold_reset();
        tick_();
        for (size_t a = 0; a < 4096; a++) {
            top.load_we = 1;
            top.load_addr = a;
            top.load_data = a < n ? words[a] : 0;
            top.eval();
            tick_();
        }
        top.load_we = 0;
        top.eval();
        tick_();
        release_reset();
    }

    // Holds reset for 32 cycles (the key registers' RAM is cleared in 16, hdl/src/key/
    // regs.rs): every RAM keeps its words, as on the board.
    void reset() override {
        hold_reset();
        for (int i = 0; i < 32; i++) tick_();
        release_reset();
    }

    void set_rx(int valid, int data) override { set_rx_(top, valid, data); }

    void observe(int k, j1k_rtl_obs *o) override { observe_core(&top, k, o); }
    void observe_unit(j1k_rtl_unit *u) override { ::observe_unit(&top, u); }
    uint32_t running() override { return running_mask(&top); }
    bool halting() override { return ::halting(&top); }

    uint64_t run(uint64_t max, bool ended, j1k_rtl_obs *trace, uint32_t *runs,
                 j1k_rtl_unit *units, j1k_rtl_wait *wait, uint64_t cycle0, uint64_t gap,
                 int *event) override {
        uint64_t n = 0;
        *event = 0;
        while (n < max) {
            if (needs_host(&top, ended)) {
                *event = 1;
                break;
            }
            if (trace) {
                for (int k = 0; k < cores; k++) observe_core(&top, k, &trace[n * cores + k]);
            }
            if (runs) runs[n] = running_mask(&top);
            if (units) ::observe_unit(&top, &units[n]);
            if (ended && top.uart_rx_look && !top.uart_rx_valid) note_look(wait, cycle0 + n, gap);
            tick_();
            n++;
        }
        return n;
    }
};

// A model whose cores are the contexts of one tile circuit (hdl/src/ctx_top.rs): a cycle
// is a round of K clocks, and core k's outputs show in phase k. The model keeps its place
// in the round: `p` of its phases have been clocked, and what each core showed in its
// phase is kept in `buf`, so the host sees whole cycles, as with the other models. A
// cycle's phases are clocked as the host asks for a later core's outputs (or whether every
// core halts); by then the host has set the cycle's inputs, which only phase 0 reads.
template <class V> struct CtxModel : Sim {
    V top;
    int p = 0;            // phases of this round clocked
    int seen = 0;         // phases of this round whose outputs are in buf
    uint64_t clocks = 0;  // since the start: the top's phase is clocks % cores
    j1k_rtl_obs buf[8];

    CtxModel(int n) {
        cores = n;
        top.clock = 0;
        top.reset = 1;
        hold_inputs(&top);
        top.eval();
        see();
    }

    inline void clock_() {
        top.clock = 1;
        top.eval();
        top.clock = 0;
        top.eval();
        clocks++;
    }
    // Keeps the outputs of the phase the model is in.
    inline void see() {
        if (seen == p && p < cores) {
            observe_core(&top, p, &buf[p]);
            seen++;
        }
    }
    // Clocks until `k` phases of the round have run, keeping each phase's outputs.
    inline void advance(int k) {
        while (p < k) {
            see();
            clock_();
            p++;
        }
        see();
    }
    void tick() override {
        advance(cores);
        p = 0;
        seen = 0;
        see();
    }

    void hold_reset() { hold_reset_(top); }
    // Reset released at a round's start (the top's phase runs free from the first clock):
    // the model is then in cycle 0 of every core.
    void release_reset() {
        while (clocks % cores) clock_();
        top.reset = 0;
        top.eval();
        p = 0;
        seen = 0;
        see();
    }
    // Each word is held for a round, so every context's RAM takes it in its phase; then
    // 32 rounds of reset clear the stack RAMs.
    void reset_load(const uint16_t *words, size_t n) override {
        hold_reset();
        clock_();
        for (size_t a = 0; a < 4096; a++) {
            top.load_we = 1;
            top.load_addr = a;
            top.load_data = a < n ? words[a] : 0;
            top.eval();
            for (int i = 0; i < cores; i++) clock_();
        }
        top.load_we = 0;
        top.eval();
        for (int i = 0; i < 32 * cores; i++) clock_();
        release_reset();
    }
    void reset() override {
        hold_reset();
        for (int i = 0; i < 32 * cores; i++) clock_();
        release_reset();
    }

    void set_rx(int valid, int data) override { set_rx_(top, valid, data); }

    void observe(int k, j1k_rtl_obs *o) override {
        advance(k);
        *o = buf[k];
    }
    void observe_unit(j1k_rtl_unit *u) override { ::observe_unit(&top, u); }
    uint32_t running() override { return running_mask(&top); }
    // Every running core halts in this cycle: clocks up to the last phase.
    bool halting() override {
        advance(cores - 1);
        uint32_t run = running_mask(&top);
        for (int k = 0; k < cores; k++) {
            if ((run >> k & 1) && !buf[k].halt) return false;
        }
        return true;
    }
    // As needs_host, from core 0's outputs in phase 0.
    bool needs_host_(bool rx_ended) {
        const j1k_rtl_obs &o = buf[0];
        return o.uart_tx_strobe || (o.uart_rx_strobe && top.uart_rx_valid) ||
               (o.uart_rx_look && !top.uart_rx_valid && !rx_ended) || halting();
    }

    uint64_t run(uint64_t max, bool ended, j1k_rtl_obs *trace, uint32_t *runs,
                 j1k_rtl_unit *units, j1k_rtl_wait *wait, uint64_t cycle0, uint64_t gap,
                 int *event) override {
        uint64_t n = 0;
        *event = 0;
        while (n < max) {
            if (needs_host_(ended)) {
                *event = 1;
                break;
            }
            advance(cores - 1);
            if (trace) {
                for (int k = 0; k < cores; k++) trace[n * cores + k] = buf[k];
            }
            if (runs) runs[n] = running_mask(&top);
            if (units) ::observe_unit(&top, &units[n]);
            if (ended && buf[0].uart_rx_look && !top.uart_rx_valid) note_look(wait, cycle0 + n, gap);
            tick();
            n++;
        }
        return n;
    }
};

}  // namespace

extern "C" {

// A model of `cores` cores (1, 2 or 4), or null when none is built for that count.
void *j1k_rtl_new(int cores) {
    Verilated::randReset(0);  // every register starts at 0, as docs/isa.md says
    switch (cores) {
    case 1: return static_cast<Sim *>(new Model<Vtop>(1));
    case 2: return static_cast<Sim *>(new Model<Vm2>(2));
    case 4: return static_cast<Sim *>(new CtxModel<Vc4>(4));
    default: return nullptr;
    }
}

void j1k_rtl_free(void *p) { delete static_cast<Sim *>(p); }

void j1k_rtl_set_full_eval(void *p, int on) { static_cast<Sim *>(p)->full_eval = on != 0; }

// Runs the current cycle: the model is then in the next one.
void j1k_rtl_tick(void *p) { static_cast<Sim *>(p)->tick(); }

void j1k_rtl_reset_load(void *p, const uint16_t *words, size_t n) {
    static_cast<Sim *>(p)->reset_load(words, n);
}

// The reset button: the model is then in cycle 0, every RAM as it was.
void j1k_rtl_reset(void *p) { static_cast<Sim *>(p)->reset(); }

// Drives the receiver's outputs into core 0 (RX valid and the data register).
void j1k_rtl_set_rx(void *p, int valid, int data) { static_cast<Sim *>(p)->set_rx(valid, data); }

// What core `k` shows in the current cycle.
void j1k_rtl_observe(void *p, int k, j1k_rtl_obs *o) { static_cast<Sim *>(p)->observe(k, o); }

// The coherence unit's registers in the current cycle (a one-core model: left as they are).
void j1k_rtl_observe_unit(void *p, j1k_rtl_unit *u) { static_cast<Sim *>(p)->observe_unit(u); }

// Bit k set while core k runs (the one-core top: 1).
uint32_t j1k_rtl_running(void *p) { return static_cast<Sim *>(p)->running(); }

// Every running core halts (jumps to itself) in the current cycle.
int j1k_rtl_halting(void *p) { return static_cast<Sim *>(p)->halting() ? 1 : 0; }

// Runs at most `max` cycles, stopping before a cycle that needs the host
// (*event = 1; `rx_ended`: input has ended, so a look at RX asks nothing).
// With `trace`, what each cycle run showed goes to trace[0..n * cores] (every
// core's in turn; room for `max` cycles), with `runs` the running cores of
// each cycle to runs[0..n], and with `units` the coherence unit of each cycle to
// units[0..n]. With input ended, each look at the empty receiver extends `wait` (the
// current cycle is `cycle0`; looks more than `gap` cycles apart begin a new wait).
// Returns n, the cycles run.
uint64_t j1k_rtl_run(void *p, uint64_t max, int rx_ended, j1k_rtl_obs *trace, uint32_t *runs,
                     j1k_rtl_unit *units, j1k_rtl_wait *wait, uint64_t cycle0, uint64_t gap,
                     int *event) {
    return static_cast<Sim *>(p)->run(max, rx_ended != 0, trace, runs, units, wait, cycle0, gap,
                                      event);
}

}  // extern "C"
