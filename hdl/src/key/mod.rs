//! The key unit: the key-instruction sequencer (this file) over the key
//! registers (`regs.rs`), the block store (`block_store.rs`), the node store
//! (`node_store.rs`) and the two allocators (`alloc.rs`). Cycle by cycle as
//! docs/isa.md §8.3 and the simulator's `key_unit.rs`:
//!
//! - every instruction's first cycle is a *decode cycle*: the pc is held and
//!   nothing the program sees changes; the read instructions
//!   (`b@ bc@ bxchg bxadd nb@ nn@ nb@i nn@i`) address their store in it;
//! - the second cycle (the *execute cycle*) does the rest: the one-cycle work
//!   of the other instructions, T / the register / the pop of the reads, the
//!   write of `bxchg`, `b!`, `bc!` (all three write N);
//! - `b! bc!` pop again in a third cycle; `bxadd` latches the sum in the
//!   execute cycle and writes it, T := old and pops in a third;
//! - `balloc nalloc`: the execute cycle takes the index and puts its key in
//!   the current register (or, when full, puts the null key and pushes 0), the
//!   next W (S) cycles zero one word (slot pair) each of the new block (node),
//!   addressed through the new key like any access; the last one pushes true.
//!
//! The core holds its pc while `hold` is set and applies `push` / `pop` /
//! `tload` to its data stack and T.
//!
//! How it is built (for area and Fmax; the behaviour is the simulator's):
//!
//! - Only `kf` (decode.rs: the key pattern in a cycle that can start one)
//!   reaches the core from the live instruction, as `hold`. The decode cycle
//!   decodes the live instruction into the states of the later cycles (`s_*`),
//!   values latched for them (`f_*`, `n_*`, `w_*`) and the answers to the core
//!   of the next cycle (`h2`, `p2`, `t2`, `pushr`). So `push`, `pop`, `tload`
//!   and the selects of `tval` are registers. (In a decode cycle T, N and the
//!   key registers do not change, so what it latched is what a later cycle
//!   would compute.)
//! - The instruction stays on the code RAM's read port, itself a register, for
//!   all the cycles of a key instruction (the RAM is not read while the pc is
//!   held: docs/isa.md §6), so the later cycles read the register numbers and
//!   the store addresses' fields there; the execute cycle's work (`c_*`) is
//!   decoded into flip-flops in the decode cycle, as the RAM's read data come
//!   late. (A flip-flop copy of the whole instruction, as before, was 11 LUT4s
//!   more in the key unit alone, and 34 / 8 more cells in the UP5K / HX8K
//!   builds.) The store read addresses and the key register an instruction
//!   names are tested on the fewest bits that tell the instructions apart. The key registers are a
//!   block RAM (regs.rs) read in the decode cycle, so the named register's key
//!   (`rreg`) is there in the execute cycle; the current registers are also
//!   kept in flip-flops (`cbr`, `cnr`), which address the stores.
//! - A write goes to the address its instruction read or would read: T (the
//!   index) and the live instruction do not change before it, so one address
//!   serves both (the SPRAM's one port needs no address mux), and zeroing
//!   addresses the new block or node through the current register's copy.
//! - Values that only matter when they are used (store addresses and data,
//!   register write data, `tval`) are not gated to zero when unused, and the
//!   ones that are selected are ORed from exclusive terms, not chained.
//! - The key registers' copies, the allocator pointers and the zeroing counter
//!   hold only the bits the store sizes need (masked, so that yosys drops the
//!   rest).

pub mod alloc;
pub mod block_store;
pub mod decode;
pub mod node_store;
pub mod reg_ram;
pub mod regs;

use crate::mem::lines::{NEED_ALLOC, NEED_LOCK, NEED_READ, NEED_WRITE};
use crate::ring::Ring;
use crate::util::{k, Zext};
use crate::BlockMemory;
use alloc::Allocator;
use block_store::BlockStore;
use decode::KeyDecode;
use j1k_isa::{KeyConfig, KeyOp, ROOT_NODE};
use node_store::NodeStore;
use regs::KeyRegs;
use rust_hdl::prelude::*;

/// An opcode field (bits 11:7) as the decode compares it.
fn op(o: KeyOp) -> Constant<Bits<5>> {
    k(o as u64)
}

#[derive(LogicBlock)]
pub struct KeyUnit<const K: usize = 1> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The context whose cycle this clock computes (docs/architecture.md §11; 0 with K = 1).
    pub ctx: Signal<In, Bits<8>>,
    /// The core's pc (zero-extended): bit 12 set is a fetch cycle, not an instruction.
    pub pc: Signal<In, Bits<16>>,
    /// The code RAM's read data: the instruction, except in the reboot cycle (the
    /// first after `reset`), which this unit tells by its own `booted` register.
    pub insn: Signal<In, Bits<16>>,
    pub t: Signal<In, Bits<16>>,
    pub n: Signal<In, Bits<16>>,
    pub hold: Signal<Out, Bit>,
    pub push: Signal<Out, Bit>,
    pub pop: Signal<Out, Bit>,
    /// `push | pop`, from a register of its own (the core's stack clock enables
    /// take it as one input: stackctl.rs).
    pub moves: Signal<Out, Bit>,
    pub tload: Signal<Out, Bit>,
    /// T' when `tload` (anything otherwise).
    pub tval: Signal<Out, Bits<16>>,
    pub cur_b: Signal<Out, Bits<3>>,
    pub cur_n: Signal<Out, Bits<2>>,
    pub breg0: Signal<Out, Bits<16>>,
    pub breg1: Signal<Out, Bits<16>>,
    pub breg2: Signal<Out, Bits<16>>,
    pub breg3: Signal<Out, Bits<16>>,
    pub breg4: Signal<Out, Bits<16>>,
    pub breg5: Signal<Out, Bits<16>>,
    pub breg6: Signal<Out, Bits<16>>,
    pub breg7: Signal<Out, Bits<16>>,
    pub nreg0: Signal<Out, Bits<16>>,
    pub nreg1: Signal<Out, Bits<16>>,
    pub nreg2: Signal<Out, Bits<16>>,
    pub nreg3: Signal<Out, Bits<16>>,
    pub faults: Signal<Out, Bits<16>>,
    /// A key instruction is in progress (this is not its decode cycle).
    pub busy: Signal<Out, Bit>,
    pub blk_we: Signal<Out, Bit>,
    /// Lanes, address and data of a block write: meaningful only with `blk_we`.
    pub blk_wmask: Signal<Out, Bits<2>>,
    pub blk_waddr: Signal<Out, Bits<16>>,
    pub blk_wdata: Signal<Out, Bits<16>>,
    /// The node store's writes (bit 0 the block-key slot, bit 1 the node-key slot),
    /// entry address (node index × S + slot) and key: for the lockstep comparison.
    pub slot_we: Signal<Out, Bits<2>>,
    pub slot_waddr: Signal<Out, Bits<16>>,
    pub slot_wdata: Signal<Out, Bits<16>>,

    // ---- built `cached` (several cores: docs/architecture.md §9); else unused ----
    /// The core runs this cycle (a stopped core starts no key instruction).
    pub run: Signal<In, Bit>,
    /// A start at this edge: the key registers as at reset.
    pub start: Signal<In, Bit>,
    /// The tile's check with the coherence unit (`mem::coherence::TilePort`).
    pub c_ask: Signal<Out, Bit>,
    pub c_need: Signal<Out, Bits<2>>,
    pub c_blk: Signal<Out, Bits<16>>,
    pub c_release: Signal<Out, Bit>,
    pub c_take: Signal<Out, Bit>,
    pub c_met: Signal<In, Bit>,
    pub c_line: Signal<In, Bits<3>>,
    pub c_alloc_ok: Signal<In, Bit>,
    pub c_alloc_idx: Signal<In, Bits<16>>,
    /// The tile's cache RAM (`mem::system::CachePort`): line × W + word.
    pub m_raddr: Signal<Out, Bits<16>>,
    pub m_rdata: Signal<In, Bits<16>>,
    pub m_we: Signal<Out, Bit>,
    pub m_wmask: Signal<Out, Bits<2>>,
    pub m_waddr: Signal<Out, Bits<16>>,
    pub m_wdata: Signal<Out, Bits<16>>,
    /// The shared node store and node allocator (driven by the node lock's holder).
    pub n_raddr: Signal<Out, Bits<16>>,
    pub n_rdata_b: Signal<In, Bits<16>>,
    pub n_rdata_n: Signal<In, Bits<16>>,
    pub n_we_b: Signal<Out, Bit>,
    pub n_we_n: Signal<Out, Bit>,
    pub n_waddr: Signal<Out, Bits<16>>,
    pub n_wdata: Signal<Out, Bits<16>>,
    pub n_take: Signal<Out, Bit>,
    pub n_avail: Signal<In, Bit>,
    pub n_idx: Signal<In, Bits<16>>,

    regs: KeyRegs<K>,
    dec: KeyDecode,
    blocks: BlockStore,
    nodes: NodeStore,
    balloc: Allocator,
    nalloc: Allocator,

    // ---- the second and later cycles: which one this is ----
    /// b! / bc! / bxchg, cycle 2: write N (bc!: its low byte in both lanes).
    s_w: Ring<Bit, K>,
    /// bxadd, cycle 3: writes the sum latched in cycle 2 (`w_sum`), so that no path
    /// runs from the store's read data through the adder to its write data.
    s_add: Ring<Bit, K>,
    /// The block write data, latched in the cycle before every write: N (b! bc! bxchg
    /// write N, which their decode cycle sees already; bc! its low byte in both lanes),
    /// bxadd's sum, 0 for a zeroing cycle (a synchronous clear, which the iCE40's
    /// flip-flops have). So the store's write data come from a register, with no mux.
    w_sum: Ring<Bits<16>, K>,
    /// nb@ nn@ nb@i nn@i, cycle 2: the register := the slot read.
    s_nload: Ring<Bit, K>,
    /// balloc / nalloc: zeroing one word / slot pair a cycle.
    s_bz: Ring<Bit, K>,
    s_nz: Ring<Bit, K>,
    // ---- latched in a decode cycle (used by the next) ----
    /// T's high byte := the word's (b@, bxchg, bxadd); T's low byte := the word's low
    /// byte (those and an even bc@), its high byte (an odd bc@); none of them when the
    /// current block key is null (T := 0).
    f_word: Ring<Bit, K>,
    f_lo: Ring<Bit, K>,
    f_hi: Ring<Bit, K>,
    /// T := faults; T := the rights of the key read (b? n? read the current register).
    f_flt: Ring<Bit, K>,
    f_q: Ring<Bit, K>,
    /// T := the comparison of the key read with the current block / node key
    /// (bkey= nkey=): registered, so that T' does not wait for an opcode test of the
    /// code RAM's read data.
    f_eqb: Ring<Bit, K>,
    f_eqn: Ring<Bit, K>,
    /// The current node key is read-only; the slot goes to a block register. (A slot
    /// read through the null node key is null without a gate: node 0 is never
    /// written, and the store is all null at configuration.)
    n_weak: Ring<Bit, K>,
    n_tob: Ring<Bit, K>,
    /// Copies of the current block / node register: the stores are addressed from them,
    /// not from the register RAM, which answers a cycle after it is asked.
    cbr: crate::ring::LoadRing<Bits<16>, K>,
    cnr: crate::ring::LoadRing<Bits<16>, K>,
    /// The execute cycle: the one after a decode cycle.
    s_e: Ring<Bit, K>,
    /// Push (and T := `tval`) this cycle: a value instruction's execute cycle, the
    /// last zeroing cycle.
    pushr: Ring<Bit, K>,
    /// The core-facing answers of the execute and later cycles, one register each
    /// (`hold` is `kf` ORed with `h2`): busy (this is not a decode cycle), hold, pop,
    /// tload, and the last zeroing cycle (with `pushr` and `t2`: T := true).
    busy_r: Ring<Bit, K>,
    /// Not the reboot cycle (as the code RAM's: 0 at power-up and after reset).
    booted: Ring<Bit, K>,
    h2: Ring<Bit, K>,
    p2: Ring<Bit, K>,
    /// `pushr | p2`.
    mv2: Ring<Bit, K>,
    t2: Ring<Bit, K>,
    lastr: Ring<Bit, K>,
    /// The lanes (bc! one, else both), bc! and bxadd, of the decode cycle: what a
    /// later write uses.
    w_lanes: Ring<Bits<2>, K>,
    w_add: Ring<Bit, K>,
    /// The word / slot being zeroed.
    zc: Ring<Bits<16>, K>,

    // build parameters
    on: Constant<Bit>,
    lw: Constant<Bits<16>>,
    ls: Constant<Bits<16>>,
    wmask: Constant<Bits<16>>,
    smask: Constant<Bits<16>>,
    zmask: Constant<Bits<16>>,
    /// W − 1 and S − 1: the last word / slot zeroed.
    wlast: Constant<Bits<16>>,
    slast: Constant<Bits<16>>,
    // values
    z16: Constant<Bits<16>>,
    one16: Constant<Bits<16>>,
    two16: Constant<Bits<16>>,
    three16: Constant<Bits<16>>,
    eight16: Constant<Bits<16>>,
    ones: Constant<Bits<16>>,
    idxm: Constant<Bits<16>>,
    rwbit: Constant<Bits<16>>,
    /// The bits a block / node key has (`regs::key_mask`), and the root node key.
    bkm: Constant<Bits<16>>,
    nkm: Constant<Bits<16>>,
    root: Constant<Bits<16>>,
    lowb: Constant<Bits<16>>,
    highb: Constant<Bits<16>>,
    imm_m: Constant<Bits<16>>,
    /// block_regs − 1 and node_regs − 1: register numbers are taken modulo the counts.
    bregm: Constant<Bits<3>>,
    nregm: Constant<Bits<2>>,
    bregm16: Constant<Bits<16>>,
    nregm16: Constant<Bits<16>>,
    five16: Constant<Bits<16>>,
    four16: Constant<Bits<16>>,
    /// The register RAM word that is always null.
    null_word: Constant<Bits<16>>,
    bsel: Signal<Local, Bits<3>>,
    nsel_a: Signal<Local, Bits<2>>,
    nsel_b: Signal<Local, Bits<2>>,
    z2: Constant<Bits<2>>,
    m1: Constant<Bits<2>>,
    m2: Constant<Bits<2>>,
    m3: Constant<Bits<2>>,
    // opcodes, from the ISA crate's one table (`KeyOp`: the discriminant is the field)
    o_bsel: Constant<Bits<5>>,
    o_nsel: Constant<Bits<5>>,
    o_bcopy: Constant<Bits<5>>,
    o_ncopy: Constant<Bits<5>>,
    o_bkeyeq: Constant<Bits<5>>,
    o_nkeyeq: Constant<Bits<5>>,
    o_bweaken: Constant<Bits<5>>,
    o_nweaken: Constant<Bits<5>>,
    o_bq: Constant<Bits<5>>,
    o_nq: Constant<Bits<5>>,
    o_faults: Constant<Bits<5>>,
    o_bfetch: Constant<Bits<5>>,
    o_bstore: Constant<Bits<5>>,
    o_bcfetch: Constant<Bits<5>>,
    o_bcstore: Constant<Bits<5>>,
    o_bxchg: Constant<Bits<5>>,
    o_bxadd: Constant<Bits<5>>,
    o_nbload: Constant<Bits<5>>,
    o_nbstore: Constant<Bits<5>>,
    o_nnload: Constant<Bits<5>>,
    o_nnstore: Constant<Bits<5>>,
    o_nbloadi: Constant<Bits<5>>,
    o_nbstorei: Constant<Bits<5>>,
    o_nnloadi: Constant<Bits<5>>,
    o_nnstorei: Constant<Bits<5>>,
    o_balloc: Constant<Bits<5>>,
    o_nalloc: Constant<Bits<5>>,

    // ---- decode ----
    /// The opcode of the live instruction (the same word in every cycle of a key
    /// instruction).
    opd: Signal<Local, Bits<5>>,
    busy_l: Signal<Local, Bit>,
    /// A key instruction's decode cycle (its first).
    d1: Signal<Local, Bit>,
    /// A decode cycle out of reset: what the execute cycle is decoded from.
    d1r: Signal<Local, Bit>,
    /// The execute cycle's answers to the core, decoded in the decode cycle.
    g_hold: Signal<Local, Bit>,
    g_push: Signal<Local, Bit>,
    g_pop: Signal<Local, Bit>,
    g_tload: Signal<Local, Bit>,
    /// The execute cycle's one-cycle work, decoded in the decode cycle: the code RAM's
    /// read data are late (its clock-to-out), and these drive the key registers' and
    /// the stores' write enables, so they come from flip-flops.
    c_bsel: Ring<Bit, K>,
    c_nsel: Ring<Bit, K>,
    c_bcopy: Ring<Bit, K>,
    c_ncopy: Ring<Bit, K>,
    c_bweaken: Ring<Bit, K>,
    c_nweaken: Ring<Bit, K>,
    c_bfetch: Signal<Local, Bit>,
    c_bstore: Ring<Bit, K>,
    c_xchg: Signal<Local, Bit>,
    x_add: Signal<Local, Bit>,
    c_nload: Signal<Local, Bit>,
    c_nbst: Ring<Bit, K>,
    c_nnst: Ring<Bit, K>,
    c_balloc: Ring<Bit, K>,
    c_nalloc: Ring<Bit, K>,
    c_resv: Ring<Bit, K>,
    /// The states and the zeroing counter at the next edge.
    bz_n: Signal<Local, Bit>,
    nz_n: Signal<Local, Bit>,
    zc_n: Signal<Local, Bits<16>>,
    last_n: Signal<Local, Bit>,
    /// The key an allocation takes: its index (balloc's or nalloc's) and read-write.
    alloc_key: Signal<Local, Bits<16>>,
    /// Opcode tests without the execute condition (for values that only matter when used).
    r_bc: Signal<Local, Bit>,
    r_bcst: Signal<Local, Bit>,
    r_add: Signal<Local, Bit>,
    r_ind: Signal<Local, Bit>,
    zeroing: Signal<Local, Bit>,
    last: Signal<Local, Bit>,
    // ---- the key registers read ----
    cb: Signal<Local, Bits<16>>,
    cn: Signal<Local, Bits<16>>,
    /// The register the instruction names: a node register; its RAM word; its key.
    rnode: Signal<Local, Bit>,
    rnum: Signal<Local, Bits<16>>,
    r_cur: Signal<Local, Bit>,
    /// The current registers' numbers, as register RAM words (block 0–7, node 8–11).
    cur_b16: Signal<Local, Bits<16>>,
    cur_n16: Signal<Local, Bits<16>>,
    rreg: Signal<Local, Bits<16>>,
    cb_idx: Signal<Local, Bits<16>>,
    cn_idx: Signal<Local, Bits<16>>,
    cb_ok: Signal<Local, Bit>,
    cn_ok: Signal<Local, Bit>,
    eq_b: Signal<Local, Bit>,
    eq_n: Signal<Local, Bit>,
    rights: Signal<Local, Bits<16>>,
    // ---- addresses and data ----
    baddr: Signal<Local, Bits<16>>,
    naddr: Signal<Local, Bits<16>>,
    word: Signal<Local, Bits<16>>,
    bword: Signal<Local, Bits<16>>,
    slot: Signal<Local, Bits<16>>,
    hiw: Signal<Local, Bits<16>>,
    lo8: Signal<Local, Bits<16>>,
    hi8: Signal<Local, Bits<16>>,
    rd_ok: Signal<Local, Bit>,
    slot_key: Signal<Local, Bits<16>>,
    tv_rd: Signal<Local, Bits<16>>,
    tv_reg: Signal<Local, Bits<16>>,
    tv_true: Signal<Local, Bits<16>>,
    t_true: Signal<Local, Bit>,
    bk_wcyc: Signal<Local, Bit>,
    bk_we: Signal<Local, Bit>,
    cb_new: Signal<Local, Bits<16>>,
    cn_new: Signal<Local, Bits<16>>,
    bk_mask: Signal<Local, Bits<2>>,
    bk_data: Signal<Local, Bits<16>>,
    // ---- several cores ----
    cached: Constant<Bit>,
    n_rd: Constant<Bits<2>>,
    n_wr: Constant<Bits<2>>,
    n_lk: Constant<Bits<2>>,
    n_al: Constant<Bits<2>>,
    /// The decode cycle goes ahead (not a wait for the memory system).
    go: Signal<Local, Bit>,
    need_n: Signal<Local, Bits<2>>,
    ask_n: Signal<Local, Bit>,
    /// What the block store, node store and allocators answer: the unit's own (one
    /// core) or the memory system's (several).
    blk_rd: Signal<Local, Bits<16>>,
    nd_b: Signal<Local, Bits<16>>,
    nd_n: Signal<Local, Bits<16>>,
    ba_avail: Signal<Local, Bit>,
    ba_idx: Signal<Local, Bits<16>>,
    na_avail: Signal<Local, Bit>,
    na_idx: Signal<Local, Bits<16>>,
    /// The block accesses' base: the block's (one core) or its line's (several).
    bbase: Signal<Local, Bits<16>>,
    line16: Zext<3, 16>,
    /// The block word T is loaded from: the RAM's read data, or (cached, `bxadd`'s third
    /// cycle) the copy of the second's, as the data mover may have read the source's cache
    /// RAM in between (its port is the mover's from the third cycle after a grant).
    rd_word: Signal<Local, Bits<16>>,
    old_r: Ring<Bits<16>, K>,
}

fn log2(v: u16) -> u64 {
    v.trailing_zeros() as u64
}

impl<const K: usize> KeyUnit<K> {
    /// `None`: no key unit (outputs null, nothing built that yosys keeps). `cached`: one
    /// tile of several cores — block words in the tile's cache, nodes and allocators in
    /// the memory system, reached through the `c_*`, `m_*` and `n_*` ports; a key
    /// instruction's first cycle waits until the unit has met its need; `run` and `start`.
    pub fn new(cfg: Option<&KeyConfig>, memory: BlockMemory, cached: bool) -> Self {
        let on = cfg.is_some();
        let c = cfg.copied().unwrap_or(KeyConfig {
            block_words: 2,
            node_slots: 2,
            blocks: 2,
            nodes: 2,
            ..KeyConfig::default()
        });
        c.validate().expect("key configuration");
        let words = c.blocks as usize * c.block_words as usize;
        let slots = c.nodes as usize * c.node_slots as usize;
        assert!(
            words <= 65536 && slots <= 65536,
            "the hardware addresses at most 65536 block words and 65536 node slots"
        );
        let zmax = c.block_words.max(c.node_slots) as u64;
        // (cached: the unit's own stores and allocators are not used, and yosys drops them)
        let (words, slots) = if cached { (2, 2) } else { (words, slots) };
        Self {
            clock: Default::default(),
            reset: Default::default(),
            ctx: Default::default(),
            pc: Default::default(),
            insn: Default::default(),
            t: Default::default(),
            n: Default::default(),
            hold: Default::default(),
            push: Default::default(),
            pop: Default::default(),
            moves: Default::default(),
            tload: Default::default(),
            tval: Default::default(),
            cur_b: Default::default(),
            cur_n: Default::default(),
            breg0: Default::default(),
            breg1: Default::default(),
            breg2: Default::default(),
            breg3: Default::default(),
            breg4: Default::default(),
            breg5: Default::default(),
            breg6: Default::default(),
            breg7: Default::default(),
            nreg0: Default::default(),
            nreg1: Default::default(),
            nreg2: Default::default(),
            nreg3: Default::default(),
            faults: Default::default(),
            busy: Default::default(),
            blk_we: Default::default(),
            blk_wmask: Default::default(),
            blk_waddr: Default::default(),
            blk_wdata: Default::default(),
            slot_we: Default::default(),
            slot_waddr: Default::default(),
            slot_wdata: Default::default(),
            run: Default::default(),
            start: Default::default(),
            c_ask: Default::default(),
            c_need: Default::default(),
            c_blk: Default::default(),
            c_release: Default::default(),
            c_take: Default::default(),
            c_met: Default::default(),
            c_line: Default::default(),
            c_alloc_ok: Default::default(),
            c_alloc_idx: Default::default(),
            m_raddr: Default::default(),
            m_rdata: Default::default(),
            m_we: Default::default(),
            m_wmask: Default::default(),
            m_waddr: Default::default(),
            m_wdata: Default::default(),
            n_raddr: Default::default(),
            n_rdata_b: Default::default(),
            n_rdata_n: Default::default(),
            n_we_b: Default::default(),
            n_we_n: Default::default(),
            n_waddr: Default::default(),
            n_wdata: Default::default(),
            n_take: Default::default(),
            n_avail: Default::default(),
            n_idx: Default::default(),
            regs: KeyRegs::new(on, c.blocks, c.nodes, cached),
            dec: KeyDecode::new(on),
            blocks: BlockStore::new(words, memory),
            nodes: NodeStore::new(slots),
            balloc: Allocator::new(1, c.blocks),
            nalloc: Allocator::new(ROOT_NODE + 1, c.nodes),
            s_w: Default::default(),
            s_add: Default::default(),
            w_sum: Default::default(),
            w_lanes: Default::default(),
            w_add: Default::default(),
            s_nload: Default::default(),
            s_bz: Default::default(),
            s_nz: Default::default(),
            f_word: Default::default(),
            f_lo: Default::default(),
            f_hi: Default::default(),
            f_flt: Default::default(),
            f_q: Default::default(),
            f_eqb: Default::default(),
            f_eqn: Default::default(),
            cbr: Default::default(),
            cnr: Default::default(),
            n_weak: Default::default(),
            n_tob: Default::default(),
            busy_r: Default::default(),
            booted: Default::default(),
            s_e: Default::default(),
            pushr: Default::default(),
            h2: Default::default(),
            p2: Default::default(),
            mv2: Default::default(),
            t2: Default::default(),
            lastr: Default::default(),
            zc: Default::default(),
            on: Constant::new(on),
            lw: k(log2(c.block_words)),
            ls: k(log2(c.node_slots)),
            wmask: k(c.block_words as u64 - 1),
            smask: k(c.node_slots as u64 - 1),
            zmask: k(zmax - 1),
            wlast: k(c.block_words as u64 - 1),
            slast: k(c.node_slots as u64 - 1),
            z16: k(0),
            one16: k(1),
            two16: k(2),
            three16: k(3),
            eight16: k(8),
            ones: k(0xffff),
            idxm: k(0x7fff),
            rwbit: k(0x8000),
            bkm: k(regs::key_mask(c.blocks)),
            nkm: k(regs::key_mask(c.nodes)),
            root: k(0x8000 | ROOT_NODE as u64),
            lowb: k(0xff),
            highb: k(0xff00),
            imm_m: k(0x1f),
            bregm: k(c.block_regs as u64 - 1),
            nregm: k(c.node_regs as u64 - 1),
            bregm16: k(c.block_regs as u64 - 1),
            nregm16: k(c.node_regs as u64 - 1),
            five16: k(5),
            four16: k(4),
            null_word: k(15),
            bsel: Default::default(),
            nsel_a: Default::default(),
            nsel_b: Default::default(),
            z2: k(0),
            m1: k(1),
            m2: k(2),
            m3: k(3),
            o_bsel: op(KeyOp::Bsel),
            o_nsel: op(KeyOp::Nsel),
            o_bcopy: op(KeyOp::Bcopy),
            o_ncopy: op(KeyOp::Ncopy),
            o_bkeyeq: op(KeyOp::Bkeyeq),
            o_nkeyeq: op(KeyOp::Nkeyeq),
            o_bweaken: op(KeyOp::Bweaken),
            o_nweaken: op(KeyOp::Nweaken),
            o_bq: op(KeyOp::Bquery),
            o_nq: op(KeyOp::Nquery),
            o_faults: op(KeyOp::Faults),
            o_bfetch: op(KeyOp::Bfetch),
            o_bstore: op(KeyOp::Bstore),
            o_bcfetch: op(KeyOp::Bcfetch),
            o_bcstore: op(KeyOp::Bcstore),
            o_bxchg: op(KeyOp::Bxchg),
            o_bxadd: op(KeyOp::Bxadd),
            o_nbload: op(KeyOp::NbLoad),
            o_nbstore: op(KeyOp::NbStore),
            o_nnload: op(KeyOp::NnLoad),
            o_nnstore: op(KeyOp::NnStore),
            o_nbloadi: op(KeyOp::NbLoadI),
            o_nbstorei: op(KeyOp::NbStoreI),
            o_nnloadi: op(KeyOp::NnLoadI),
            o_nnstorei: op(KeyOp::NnStoreI),
            o_balloc: op(KeyOp::Balloc),
            o_nalloc: op(KeyOp::Nalloc),
            opd: Default::default(),
            busy_l: Default::default(),
            d1: Default::default(),
            d1r: Default::default(),
            g_hold: Default::default(),
            g_push: Default::default(),
            g_pop: Default::default(),
            g_tload: Default::default(),
            c_bsel: Default::default(),
            c_nsel: Default::default(),
            c_bcopy: Default::default(),
            c_ncopy: Default::default(),
            c_bweaken: Default::default(),
            c_nweaken: Default::default(),
            c_bfetch: Default::default(),
            c_bstore: Default::default(),
            c_xchg: Default::default(),
            x_add: Default::default(),
            c_nload: Default::default(),
            c_nbst: Default::default(),
            c_nnst: Default::default(),
            c_balloc: Default::default(),
            c_nalloc: Default::default(),
            c_resv: Default::default(),
            bz_n: Default::default(),
            nz_n: Default::default(),
            zc_n: Default::default(),
            last_n: Default::default(),
            alloc_key: Default::default(),
            r_bc: Default::default(),
            r_bcst: Default::default(),
            r_add: Default::default(),
            r_ind: Default::default(),
            zeroing: Default::default(),
            last: Default::default(),
            cb: Default::default(),
            cn: Default::default(),
            rnode: Default::default(),
            rnum: Default::default(),
            r_cur: Default::default(),
            cur_b16: Default::default(),
            cur_n16: Default::default(),
            rreg: Default::default(),
            cb_idx: Default::default(),
            cn_idx: Default::default(),
            cb_ok: Default::default(),
            cn_ok: Default::default(),
            eq_b: Default::default(),
            eq_n: Default::default(),
            rights: Default::default(),
            baddr: Default::default(),
            naddr: Default::default(),
            word: Default::default(),
            bword: Default::default(),
            slot: Default::default(),
            hiw: Default::default(),
            lo8: Default::default(),
            hi8: Default::default(),
            rd_ok: Default::default(),
            slot_key: Default::default(),
            tv_rd: Default::default(),
            tv_reg: Default::default(),
            tv_true: Default::default(),
            t_true: Default::default(),
            bk_wcyc: Default::default(),
            bk_we: Default::default(),
            cb_new: Default::default(),
            cn_new: Default::default(),
            bk_mask: Default::default(),
            bk_data: Default::default(),
            cached: Constant::new(cached),
            n_rd: k(NEED_READ),
            n_wr: k(NEED_WRITE),
            n_lk: k(NEED_LOCK),
            n_al: k(NEED_ALLOC),
            go: Default::default(),
            need_n: Default::default(),
            ask_n: Default::default(),
            blk_rd: Default::default(),
            nd_b: Default::default(),
            nd_n: Default::default(),
            ba_avail: Default::default(),
            ba_idx: Default::default(),
            na_avail: Default::default(),
            na_idx: Default::default(),
            bbase: Default::default(),
            line16: Default::default(),
            rd_word: Default::default(),
            old_r: Default::default(),
        }
    }
}

impl<const K: usize> Logic for KeyUnit<K> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, s_w, s_add, w_sum, w_lanes, w_add, s_nload, s_bz, s_nz, f_word, f_lo,
            f_hi, f_flt, f_q, f_eqb, f_eqn, n_weak, n_tob, cbr, cnr, s_e, c_bsel, c_nsel, c_bcopy,
            c_ncopy, c_bweaken, c_nweaken, c_bstore, c_nbst, c_nnst, c_balloc, c_nalloc, c_resv,
            pushr, busy_r, booted, h2, p2, mv2, t2, lastr, zc, old_r
        );
        self.regs.clock.next = self.clock.val();
        self.blocks.clock.next = self.clock.val();
        self.nodes.clock.next = self.clock.val();
        self.balloc.clock.next = self.clock.val();
        self.nalloc.clock.next = self.clock.val();
        self.regs.reset.next = self.reset.val();
        self.regs.ctx.next = self.ctx.val();
        self.balloc.reset.next = self.reset.val();
        self.nalloc.reset.next = self.reset.val();
        // the one-core store's allocators step every clock
        self.balloc.step.next = true;
        self.nalloc.step.next = true;

        // ---- decode ----
        // The decode cycle (`d1`, every key instruction's first) holds the pc and
        // changes nothing; from the live instruction it decides only what it latches
        // (the store word read for the read instructions, the execute cycle's work and
        // answers to the core). The execute cycle (`s_e`) and the later ones run from
        // state registers and the instruction, which stays on the code RAM's read port
        // for all its cycles (the RAM is not read while the pc is held: docs/isa.md §6),
        // for the register numbers and the store addresses.
        self.busy_l.next = self.busy_r.q.val();
        self.dec.on.next = self.on.val() && (self.run.val() || !self.cached.val());
        self.dec.op.next = self.insn.val().get_bits::<4>(12);
        self.dec.busy.next = self.busy_r.q.val();
        self.dec.pc12.next = self.pc.val().get_bit(12);
        self.booted.d.next = !self.reset.val();
        self.dec.booted.next = self.booted.q.val();
        self.dec.h2.next = self.h2.q.val();
        self.d1.next = self.dec.kf.val();
        self.opd.next = self.insn.val().get_bits::<5>(7);
        // the current keys (their copies in flip-flops)
        self.cb.next = self.cbr.q.val();
        self.cn.next = self.cnr.q.val();
        self.cb_idx.next = self.cb.val() & self.idxm.val();
        self.cn_idx.next = self.cn.val() & self.idxm.val();
        self.cb_ok.next = self.cb.val().get_bit(15) && (self.cb_idx.val() != self.z16.val());
        self.cn_ok.next = self.cn.val().get_bit(15) && (self.cn_idx.val() != self.z16.val());
        // Several cores: the first cycle asks the unit for what the instruction needs
        // (docs/architecture.md §2, the simulator's `need`); not met, it is a wait cycle
        // (hold, nothing latched) and the next cycle asks again.
        self.ask_n.next = false;
        self.need_n.next = self.n_rd.val();
        if (self.opd.val() == self.o_bfetch.val()) || (self.opd.val() == self.o_bcfetch.val()) {
            self.ask_n.next = self.cb_idx.val() != self.z16.val();
        }
        if (self.opd.val() == self.o_bxchg.val()) || (self.opd.val() == self.o_bxadd.val()) {
            self.ask_n.next = self.cb_idx.val() != self.z16.val();
            if self.cb_ok.val() {
                self.need_n.next = self.n_wr.val();
            }
        }
        if (self.opd.val() == self.o_bstore.val()) || (self.opd.val() == self.o_bcstore.val()) {
            self.ask_n.next = self.cb_ok.val();
            self.need_n.next = self.n_wr.val();
        }
        if (self.opd.val() == self.o_nbload.val())
            || (self.opd.val() == self.o_nnload.val())
            || (self.opd.val() == self.o_nbloadi.val())
            || (self.opd.val() == self.o_nnloadi.val())
        {
            self.ask_n.next = self.cn_idx.val() != self.z16.val();
            self.need_n.next = self.n_lk.val();
        }
        if (self.opd.val() == self.o_nbstore.val())
            || (self.opd.val() == self.o_nnstore.val())
            || (self.opd.val() == self.o_nbstorei.val())
            || (self.opd.val() == self.o_nnstorei.val())
        {
            self.ask_n.next = self.cn_ok.val();
            self.need_n.next = self.n_lk.val();
        }
        if self.opd.val() == self.o_balloc.val() {
            self.ask_n.next = true;
            self.need_n.next = self.n_al.val();
        }
        if self.opd.val() == self.o_nalloc.val() {
            self.ask_n.next = true;
            self.need_n.next = self.n_lk.val();
        }
        self.c_ask.next = self.d1.val() && self.ask_n.val() && self.cached.val();
        self.c_need.next = self.need_n.val();
        self.c_blk.next = self.cb_idx.val();
        self.go.next = self.d1.val();
        if self.cached.val() && self.ask_n.val() && !self.c_met.val() {
            self.go.next = false;
        }
        // a key instruction's last cycle (every one takes two or more)
        self.c_release.next = self.busy_r.q.val() && !self.h2.q.val();
        self.c_take.next = self.c_balloc.q.val();
        self.n_take.next = self.c_nalloc.q.val();
        // what the stores and allocators answer
        self.blk_rd.next = self.blocks.rdata.val();
        self.nd_b.next = self.nodes.rdata_b.val();
        self.nd_n.next = self.nodes.rdata_n.val();
        self.ba_avail.next = self.balloc.avail.val();
        self.ba_idx.next = self.balloc.idx.val();
        self.na_avail.next = self.nalloc.avail.val();
        self.na_idx.next = self.nalloc.idx.val();
        self.line16.a.next = self.c_line.val();
        self.bbase.next = self.cb_idx.val() << self.lw.val();
        if self.cached.val() {
            self.blk_rd.next = self.m_rdata.val();
            self.nd_b.next = self.n_rdata_b.val();
            self.nd_n.next = self.n_rdata_n.val();
            self.ba_avail.next = self.c_alloc_ok.val();
            self.ba_idx.next = self.c_alloc_idx.val();
            self.na_avail.next = self.n_avail.val();
            self.na_idx.next = self.n_idx.val();
            self.bbase.next = self.line16.y.val() << self.lw.val();
        }
        self.d1r.next = self.go.val() && !self.reset.val();
        self.s_e.d.next = self.d1r.val();
        // decode-cycle tests: the read instructions (their store read is addressed now)
        self.c_bfetch.next = self.go.val()
            && ((self.opd.val() == self.o_bfetch.val())
                || (self.opd.val() == self.o_bcfetch.val()));
        self.c_xchg.next = self.go.val() && (self.opd.val() == self.o_bxchg.val());
        // bxadd's execute cycle: the one before its T := old, pop and write
        self.x_add.next = self.s_e.q.val() && self.w_add.q.val() && !self.reset.val();
        self.c_nload.next = self.go.val()
            && ((self.opd.val() == self.o_nbload.val())
                || (self.opd.val() == self.o_nnload.val())
                || (self.opd.val() == self.o_nbloadi.val())
                || (self.opd.val() == self.o_nnloadi.val()));
        // the execute cycle's answers: hold (b! bc! and an allocation that zeroes), push
        // (the value instructions, a failed allocation), pop, T := tval
        self.g_hold.next = (self.opd.val() == self.o_bstore.val())
            || (self.opd.val() == self.o_bcstore.val())
            || (self.opd.val() == self.o_bxadd.val())
            || ((self.opd.val() == self.o_balloc.val()) && self.ba_avail.val())
            || ((self.opd.val() == self.o_nalloc.val()) && self.na_avail.val());
        self.g_push.next = (self.opd.val() == self.o_bkeyeq.val())
            || (self.opd.val() == self.o_nkeyeq.val())
            || (self.opd.val() == self.o_bq.val())
            || (self.opd.val() == self.o_nq.val())
            || (self.opd.val() == self.o_faults.val())
            || ((self.opd.val() == self.o_balloc.val()) && !self.ba_avail.val())
            || ((self.opd.val() == self.o_nalloc.val()) && !self.na_avail.val());
        self.g_pop.next = (self.opd.val() == self.o_bstore.val())
            || (self.opd.val() == self.o_bcstore.val())
            || (self.opd.val() == self.o_bxchg.val())
            || (self.opd.val() == self.o_nbloadi.val())
            || (self.opd.val() == self.o_nbstorei.val())
            || (self.opd.val() == self.o_nnloadi.val())
            || (self.opd.val() == self.o_nnstorei.val());
        self.g_tload.next = self.g_push.val()
            || (self.opd.val() == self.o_bfetch.val())
            || (self.opd.val() == self.o_bcfetch.val())
            || (self.opd.val() == self.o_bxchg.val());
        // the execute cycle's work, decoded now
        self.c_bsel.d.next = self.d1r.val() && (self.opd.val() == self.o_bsel.val());
        self.c_nsel.d.next = self.d1r.val() && (self.opd.val() == self.o_nsel.val());
        self.c_bcopy.d.next = self.d1r.val() && (self.opd.val() == self.o_bcopy.val());
        self.c_ncopy.d.next = self.d1r.val() && (self.opd.val() == self.o_ncopy.val());
        self.c_bweaken.d.next = self.d1r.val() && (self.opd.val() == self.o_bweaken.val());
        self.c_nweaken.d.next = self.d1r.val() && (self.opd.val() == self.o_nweaken.val());
        self.c_bstore.d.next = self.d1r.val()
            && ((self.opd.val() == self.o_bstore.val())
                || (self.opd.val() == self.o_bcstore.val()));
        self.c_nbst.d.next = self.d1r.val()
            && ((self.opd.val() == self.o_nbstore.val())
                || (self.opd.val() == self.o_nbstorei.val()));
        self.c_nnst.d.next = self.d1r.val()
            && ((self.opd.val() == self.o_nnstore.val())
                || (self.opd.val() == self.o_nnstorei.val()));
        self.c_balloc.d.next = self.d1r.val() && (self.opd.val() == self.o_balloc.val());
        self.c_nalloc.d.next = self.d1r.val() && (self.opd.val() == self.o_nalloc.val());
        // reserved: opcodes 27..31 (bit tests, not a comparator with a carry chain)
        self.c_resv.d.next = self.d1r.val()
            && self.opd.val().get_bit(4)
            && self.opd.val().get_bit(3)
            && (self.opd.val().get_bit(2)
                || (self.opd.val().get_bit(1) && self.opd.val().get_bit(0)));
        // the store addresses' tests, from the live instruction (the same word in every
        // cycle of the instruction, as the pc is held)
        // The addresses are tested with the fewest instruction bits that tell the
        // instructions that use them apart (abc does not know which opcodes cannot occur):
        // among b@ b! bc@ bc! bxchg bxadd (11..16) the byte ones are those with opcode
        // bits 1 and 0 different; among the slot instructions (17..24) the indirect ones
        // are 21..24: bit 3, or bit 2 with bit 1 or 0.
        self.r_bc.next = self.opd.val().get_bit(1) ^ self.opd.val().get_bit(0);
        self.r_bcst.next = self.opd.val() == self.o_bcstore.val();
        self.r_add.next = self.opd.val() == self.o_bxadd.val();
        self.r_ind.next = self.opd.val().get_bit(3)
            || (self.opd.val().get_bit(2)
                && (self.opd.val().get_bit(1) || self.opd.val().get_bit(0)));
        self.zeroing.next = self.s_bz.q.val() || self.s_nz.q.val();
        self.last.next = self.lastr.q.val();

        // ---- the key registers read: the current ones from their copies, the one an
        // instruction names from the register RAM ----
        // Register numbers modulo the build's register counts: with fewer registers the
        // masked-off ones are never selected nor written, and yosys removes them.
        self.bsel.next = self.insn.val().get_bits::<3>(0) & self.bregm.val();
        self.nsel_a.next = self.insn.val().get_bits::<2>(0) & self.nregm.val();
        self.nsel_b.next = self.insn.val().get_bits::<2>(5) & self.nregm.val();
        self.regs.sel_b.next = self.bsel.val();
        self.regs.sel_na.next = self.nsel_a.val();
        self.regs.sel_nb.next = self.nsel_b.val();
        // The register an instruction names is read in its decode cycle (regs.rs: a block
        // RAM), from the live instruction on the fewest bits that tell the readers apart:
        // among bsel..n? (0..9) the node ones are odd; bweaken nweaken (6, 7: bits 2 and 1
        // set) read the current register, which they write back weakened, and b? n? (8,
        // 9: bit 3 set) read it for its rights. Among nb! nn! nb!i nn!i (18, 20, 22, 24;
        // bit 4 set) nb! nb!i (bit 1 set) read the current block register, nn! nn!i node
        // register nR (bits 6:5): the node store writes the key read. balloc nalloc (25,
        // 26: bits 4 and 3, and 1 or 0) read word 15, always null (regs.rs), which a full
        // allocator writes to its register and nalloc's zeroing to the node store. The key
        // arrives in the execute cycle as `rreg` (and stays while the pc is held).
        self.rnode.next = self.opd.val().get_bit(0) || self.opd.val().get_bit(4);
        // (bit by bit: rust-hdl's bit_cast does not lint clean)
        self.cur_b16.next = self.z16.val();
        if self.regs.cur_b.val().get_bit(0) {
            self.cur_b16.next = self.cur_b16.val() | self.one16.val();
        }
        if self.regs.cur_b.val().get_bit(1) {
            self.cur_b16.next = self.cur_b16.val() | self.two16.val();
        }
        if self.regs.cur_b.val().get_bit(2) {
            self.cur_b16.next = self.cur_b16.val() | self.four16.val();
        }
        self.cur_n16.next = self.eight16.val();
        if self.regs.cur_n.val().get_bit(0) {
            self.cur_n16.next = self.cur_n16.val() | self.one16.val();
        }
        if self.regs.cur_n.val().get_bit(1) {
            self.cur_n16.next = self.cur_n16.val() | self.two16.val();
        }
        self.rnum.next = self.insn.val() & self.bregm16.val();
        self.r_cur.next =
            self.opd.val().get_bit(3) || (self.opd.val().get_bit(2) && self.opd.val().get_bit(1));
        if self.r_cur.val() {
            self.rnum.next = self.cur_b16.val();
        }
        if self.rnode.val() {
            self.rnum.next = self.eight16.val() | (self.insn.val() & self.nregm16.val());
            if self.r_cur.val() {
                self.rnum.next = self.cur_n16.val();
            }
            if self.opd.val().get_bit(4) {
                self.rnum.next = self.eight16.val()
                    | ((self.insn.val() >> self.five16.val()) & self.nregm16.val());
                if self.opd.val().get_bit(1) {
                    self.rnum.next = self.cur_b16.val();
                }
                if self.opd.val().get_bit(3)
                    && (self.opd.val().get_bit(1) || self.opd.val().get_bit(0))
                {
                    self.rnum.next = self.null_word.val();
                }
            }
        }
        self.regs.raddr.next = self.rnum.val();
        self.rreg.next = self.regs.rdata.val();
        self.eq_b.next = (self.rreg.val() & self.idxm.val()) == self.cb_idx.val();
        self.eq_n.next = (self.rreg.val() & self.idxm.val()) == self.cn_idx.val();
        self.rights.next = self.z16.val();
        if (self.rreg.val() & self.idxm.val()) != self.z16.val() {
            self.rights.next = self.two16.val();
            if self.rreg.val().get_bit(15) {
                self.rights.next = self.three16.val();
            }
        }

        // ---- store addresses (one for the read and the write of an instruction) ----
        self.word.next = self.t.val() & self.wmask.val();
        self.bword.next = (self.t.val() >> self.one16.val()) & self.wmask.val();
        self.baddr.next = self.bbase.val() | self.word.val();
        if self.r_bc.val() {
            self.baddr.next = self.bbase.val() | self.bword.val();
        }
        // zeroing: the word counter, in the new block (the current register's copy)
        if self.s_bz.q.val() {
            self.baddr.next = self.bbase.val() | (self.zc.q.val() & self.wmask.val());
        }
        self.slot.next = (self.insn.val() & self.imm_m.val()) & self.smask.val();
        if self.r_ind.val() {
            self.slot.next = self.t.val() & self.smask.val();
        }
        if self.s_nz.q.val() {
            self.slot.next = self.zc.q.val() & self.smask.val();
        }
        self.naddr.next = (self.cn_idx.val() << self.ls.val()) | self.slot.val();

        // the lanes of a decode cycle (latched into w_lanes): bc! writes one
        self.bk_mask.next = self.m3.val();
        if self.r_bcst.val() {
            self.bk_mask.next = self.m1.val();
            if self.t.val().get_bit(0) {
                self.bk_mask.next = self.m2.val();
            }
        }

        // ---- latched in every decode cycle, for the later ones ----
        if !self.busy_l.val() {
            self.w_lanes.d.next = self.bk_mask.val();
            self.w_add.d.next = self.r_add.val();
        }
        // A read through the null key is 0 by this gate, never from the store: the SPRAM
        // store (block_store.rs) relies on it, as the bitstream leaves the SPRAMs undefined.
        self.rd_ok.next = (self.cb_idx.val() != self.z16.val()) && !self.reset.val();
        self.f_word.d.next = self.rd_ok.val()
            && (self.c_xchg.val()
                || self.x_add.val()
                || (self.c_bfetch.val() && (self.opd.val() == self.o_bfetch.val())));
        self.f_lo.d.next = self.rd_ok.val()
            && (self.c_xchg.val()
                || self.x_add.val()
                || (self.c_bfetch.val()
                    && !((self.opd.val() == self.o_bcfetch.val()) && self.t.val().get_bit(0))));
        self.f_hi.d.next = self.rd_ok.val()
            && self.c_bfetch.val()
            && (self.opd.val() == self.o_bcfetch.val())
            && self.t.val().get_bit(0);
        self.f_flt.d.next = self.opd.val() == self.o_faults.val();
        self.f_eqb.d.next = self.opd.val() == self.o_bkeyeq.val();
        self.f_eqn.d.next = self.opd.val() == self.o_nkeyeq.val();
        self.f_q.d.next =
            (self.opd.val() == self.o_bq.val()) || (self.opd.val() == self.o_nq.val());
        self.n_weak.d.next = !self.cn.val().get_bit(15);
        self.n_tob.d.next =
            (self.opd.val() == self.o_nbload.val()) || (self.opd.val() == self.o_nbloadi.val());

        // ---- the states ----
        self.s_w.d.next = self.go.val()
            && ((self.opd.val() == self.o_bstore.val())
                || (self.opd.val() == self.o_bcstore.val())
                || (self.opd.val() == self.o_bxchg.val()))
            && !self.reset.val();
        self.s_add.d.next = self.x_add.val();
        self.s_nload.d.next = self.c_nload.val() && !self.reset.val();
        // (`on`: without the key unit these self-holding states are constant 0, so yosys
        // removes them and the logic behind them.)
        self.bz_n.next = ((self.c_balloc.q.val() && self.ba_avail.val())
            || (self.s_bz.q.val() && !self.last.val()))
            && !self.reset.val()
            && self.on.val();
        self.nz_n.next = ((self.c_nalloc.q.val() && self.na_avail.val())
            || (self.s_nz.q.val() && !self.last.val()))
            && !self.reset.val()
            && self.on.val();
        self.zc_n.next = self.z16.val();
        if self.zeroing.val() {
            self.zc_n.next = (self.zc.q.val() + self.one16.val()) & self.zmask.val();
        }
        // (from the zeroing states alone: before them zc_n is 0, never the last word)
        self.last_n.next = ((self.s_bz.q.val() && (self.zc_n.val() == self.wlast.val()))
            || (self.s_nz.q.val() && (self.zc_n.val() == self.slast.val())))
            && !self.last.val()
            && !self.reset.val();
        self.s_bz.d.next = self.bz_n.val();
        self.w_sum.d.next = self.n.val();
        if self.r_bcst.val() {
            self.w_sum.d.next = ((self.n.val() & self.lowb.val()) << self.eight16.val())
                | (self.n.val() & self.lowb.val());
        }
        if self.x_add.val() {
            self.w_sum.d.next = self.blk_rd.val() + self.n.val();
        }
        if self.bz_n.val() {
            self.w_sum.d.next = self.z16.val();
        }
        self.s_nz.d.next = self.nz_n.val();
        self.zc.d.next = self.zc_n.val();
        self.lastr.d.next = self.last_n.val();
        self.h2.d.next = ((self.go.val() && self.g_hold.val())
            || ((self.bz_n.val() || self.nz_n.val()) && !self.last_n.val()))
            && !self.reset.val();
        // b! / bc! pop again, bxadd pops and loads T, in the cycle after their execute cycle
        self.p2.d.next = ((self.go.val() && self.g_pop.val()) || self.c_bstore.q.val())
            && !self.reset.val()
            || self.x_add.val();
        self.t2.d.next = (self.go.val() && self.g_tload.val() && !self.reset.val())
            || self.last_n.val()
            || self.x_add.val();
        self.pushr.d.next =
            (self.go.val() && self.g_push.val() && !self.reset.val()) || self.last_n.val();
        self.mv2.d.next = self.pushr.d.val() || self.p2.d.val();

        // ---- what was read ----
        self.slot_key.next = self.nd_n.val();
        if self.n_tob.q.val() {
            self.slot_key.next = self.nd_b.val();
        }
        if self.n_weak.q.val() {
            self.slot_key.next = self.slot_key.val() & self.idxm.val();
        }

        // ---- the core's stack and T ----
        self.hold.next = self.dec.hold.val();
        self.push.next = self.pushr.q.val();
        self.pop.next = self.p2.q.val();
        self.moves.next = self.mv2.q.val();
        self.tload.next = self.t2.q.val();
        self.busy_r.d.next = self.hold.val() && !self.reset.val();
        if self.cached.val() {
            // (a wait cycle holds but is not busy: the next cycle asks again)
            self.busy_r.d.next = (self.go.val() || self.h2.q.val()) && !self.reset.val();
        }
        // T' only matters with `tload`: the compare terms are selected by the opcode
        // tests of the cycle before (in a later cycle of a multi-cycle instruction, none).
        self.t_true.next = (self.f_eqb.q.val() && self.eq_b.val())
            || (self.f_eqn.q.val() && self.eq_n.val())
            || self.lastr.q.val();
        self.tv_true.next = self.z16.val();
        if self.t_true.val() {
            self.tv_true.next = self.ones.val();
        }
        self.old_r.d.next = self.blk_rd.val();
        self.rd_word.next = self.blk_rd.val();
        if self.cached.val() && self.s_add.q.val() {
            self.rd_word.next = self.old_r.q.val();
        }
        self.hiw.next = self.z16.val();
        if self.f_word.q.val() {
            self.hiw.next = self.rd_word.val() & self.highb.val();
        }
        self.lo8.next = self.z16.val();
        if self.f_lo.q.val() {
            self.lo8.next = self.rd_word.val() & self.lowb.val();
        }
        self.hi8.next = self.z16.val();
        if self.f_hi.q.val() {
            self.hi8.next = self.rd_word.val() >> self.eight16.val();
        }
        self.tv_rd.next = self.hiw.val() | self.lo8.val() | self.hi8.val();
        self.tv_reg.next = self.z16.val();
        if self.f_flt.q.val() {
            self.tv_reg.next = self.regs.faults.val();
        }
        if self.f_q.q.val() {
            self.tv_reg.next = self.rights.val();
        }
        self.tval.next = self.tv_true.val() | self.tv_rd.val() | self.tv_reg.val();

        // ---- the key registers written ----
        self.regs.set_cur_b.next = self.c_bsel.q.val();
        self.regs.set_cur_n.next = self.c_nsel.q.val();
        self.regs.bwe.next = self.c_bcopy.q.val()
            || self.c_bweaken.q.val()
            || (self.s_nload.q.val() && self.n_tob.q.val())
            || self.c_balloc.q.val();
        // One write value for a block or a node register (regs.rs has one write port;
        // the enables say which): the register read (a copy, a select's new current key,
        // the null key of a full allocator), without its rights bit (a weakened current
        // key), a slot read, a new key.
        self.regs.wdata.next = self.rreg.val();
        if self.c_bweaken.q.val() || self.c_nweaken.q.val() {
            self.regs.wdata.next = self.rreg.val() & self.idxm.val();
        }
        if self.s_nload.q.val() {
            self.regs.wdata.next = self.slot_key.val();
        }
        self.alloc_key.next = self.na_idx.val() | self.rwbit.val();
        if self.c_balloc.q.val() {
            self.alloc_key.next = self.ba_idx.val() | self.rwbit.val();
        }
        if (self.c_balloc.q.val() && self.ba_avail.val())
            || (self.c_nalloc.q.val() && self.na_avail.val())
        {
            self.regs.wdata.next = self.alloc_key.val();
        }
        self.regs.nwe.next = self.c_ncopy.q.val()
            || self.c_nweaken.q.val()
            || (self.s_nload.q.val() && !self.n_tob.q.val())
            || self.c_nalloc.q.val();
        self.regs.nw_cur.next = !self.s_nload.q.val();
        // the copies of the current registers follow every write to them and every select
        // (a select's write value is the register it selects)
        self.cb_new.next = self.regs.wdata.val() & self.bkm.val();
        if self.c_bsel.q.val() || self.regs.bwe.val() {
            self.cbr.d.next = self.cb_new.val();
        }
        self.cn_new.next = self.regs.wdata.val() & self.nkm.val();
        if self.c_nsel.q.val()
            || (self.regs.nwe.val()
                && (!self.s_nload.q.val() || (self.nsel_b.val() == self.regs.cur_n.val())))
        {
            self.cnr.d.next = self.cn_new.val();
        }
        if self.reset.val() {
            self.cbr.d.next = self.z16.val();
            self.cnr.d.next = self.root.val();
        }
        // a start (several cores): as at reset, as its context enters
        self.cbr.ld.next = self.start.val() && self.cached.val() && !self.reset.val();
        self.cnr.ld.next = self.start.val() && self.cached.val() && !self.reset.val();
        self.cbr.ld_v.next = self.z16.val();
        self.cnr.ld_v.next = self.root.val();
        self.regs.clear.next = self.start.val() && self.cached.val();
        // a block-write cycle: b!/bc!/bxchg's second, bxadd's third
        self.bk_wcyc.next = self.s_w.q.val() || self.s_add.q.val();
        self.regs.fault.next = (self.bk_wcyc.val() && !self.cb_ok.val())
            || ((self.c_nbst.q.val() || self.c_nnst.q.val()) && !self.cn_ok.val())
            || self.c_resv.q.val();

        // ---- the block store: read in a decode cycle, written in a later one ----
        self.bk_we.next = (self.bk_wcyc.val() && self.cb_ok.val()) || self.s_bz.q.val();
        // One address for the read and the write (the SPRAM's one port then needs no
        // mux: block_store.rs picks `waddr` when writing, which is `raddr`).
        self.blocks.raddr.next = self.baddr.val();
        self.blocks.re.next = true;
        self.bk_data.next = self.w_sum.q.val();
        self.blocks.we.next = self.bk_we.val();
        self.blocks.wmask.next = self.w_lanes.q.val();
        self.blocks.waddr.next = self.baddr.val();
        self.blocks.wdata.next = self.bk_data.val();

        // ---- the node store ----
        self.nodes.raddr.next = self.naddr.val();
        self.nodes.re.next = true;
        self.nodes.we_b.next = (self.c_nbst.q.val() && self.cn_ok.val()) || self.s_nz.q.val();
        self.nodes.we_n.next = (self.c_nnst.q.val() && self.cn_ok.val()) || self.s_nz.q.val();
        self.nodes.waddr.next = self.naddr.val();
        // the register read: nb! nb!i read the current block register, nn! nn!i node
        // register nR, nalloc null (its zeroing)
        self.nodes.wdata.next = self.rreg.val();
        self.balloc.take.next = self.c_balloc.q.val();
        self.nalloc.take.next = self.c_nalloc.q.val();

        // ---- outputs ----
        self.blk_we.next = self.bk_we.val() && !self.s_bz.q.val();
        self.blk_wmask.next = self.w_lanes.q.val();
        // (the lockstep's view: block × W + word, also when `baddr` addresses a line)
        self.blk_waddr.next =
            (self.cb_idx.val() << self.lw.val()) | (self.baddr.val() & self.wmask.val());
        self.m_raddr.next = self.baddr.val();
        self.m_we.next = self.bk_we.val();
        self.m_wmask.next = self.w_lanes.q.val();
        self.m_waddr.next = self.baddr.val();
        self.m_wdata.next = self.bk_data.val();
        self.n_raddr.next = self.naddr.val();
        self.n_we_b.next = self.nodes.we_b.val();
        self.n_we_n.next = self.nodes.we_n.val();
        self.n_waddr.next = self.naddr.val();
        self.n_wdata.next = self.rreg.val();
        self.blk_wdata.next = self.bk_data.val();
        self.slot_we.next = self.z2.val();
        if self.nodes.we_b.val() {
            self.slot_we.next = self.m1.val();
        }
        if self.nodes.we_n.val() {
            self.slot_we.next = self.slot_we.val() | self.m2.val();
        }
        self.slot_waddr.next = self.nodes.waddr.val();
        self.slot_wdata.next = self.nodes.wdata.val();
        self.busy.next = self.busy_l.val();
        self.cur_b.next = self.regs.cur_b.val();
        self.cur_n.next = self.regs.cur_n.val();
        self.faults.next = self.regs.faults.val();
        self.breg0.next = self.regs.b0.val();
        self.breg1.next = self.regs.b1.val();
        self.breg2.next = self.regs.b2.val();
        self.breg3.next = self.regs.b3.val();
        self.breg4.next = self.regs.b4.val();
        self.breg5.next = self.regs.b5.val();
        self.breg6.next = self.regs.b6.val();
        self.breg7.next = self.regs.b7.val();
        self.nreg0.next = self.regs.n0.val();
        self.nreg1.next = self.regs.n1.val();
        self.nreg2.next = self.regs.n2.val();
        self.nreg3.next = self.regs.n3.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    fn small() -> KeyConfig {
        KeyConfig {
            block_words: 8,
            node_slots: 4,
            blocks: 4,
            nodes: 4,
            ..KeyConfig::default()
        }
    }

    /// `balloc` on its own: 2 + W cycles (decode, take the index, zero W words), the
    /// last one not held, then b0 = rw block 1 and a true flag.
    /// (Every opcode is checked cycle by cycle against the simulator in tests/lockstep_key.rs.)
    #[test]
    fn key_unit_balloc_simulates() {
        let mut uut = KeyUnit::new(Some(&small()), BlockMemory::Bram, false);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<KeyUnit>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<KeyUnit>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            // the reboot cycle starts nothing, whatever the word
            x.insn.next = bits::<16>(0x7000 | (25 << 7)); // balloc
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.hold.val() && !x.push.val(), x);
            wait_clock_cycle!(sim, clock, x);
            let mut cycles = 1;
            loop {
                x = sim.wait(1, x)?;
                sim_assert_eq!(sim, x.moves.val(), x.push.val() || x.pop.val(), x);
                if !x.hold.val() {
                    break;
                }
                wait_clock_cycle!(sim, clock, x);
                cycles += 1;
            }
            sim_assert_eq!(sim, cycles, 10, x);
            sim_assert!(sim, x.push.val() && x.tload.val(), x);
            sim_assert_eq!(sim, x.tval.val(), bits::<16>(0xffff), x);
            wait_clock_cycle!(sim, clock, x);
            x.insn.next = bits::<16>(0x6000); // not a key instruction
            sim_assert_eq!(sim, x.breg0.val(), bits::<16>(0x8001), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    /// The decode's single-bit tests of the opcode (see `the_bit_tests_...` below) under a
    /// numbering of the opcodes; panics on the first that does not hold.
    fn check_bit_tests(number: impl Fn(KeyOp) -> u8) {
        use KeyOp::*;
        let bit = |o: u8, b: u8| (o >> b) & 1 == 1;
        let ops: Vec<KeyOp> = (0..27).filter_map(KeyOp::from_opcode).collect();
        for o in 0..32u8 {
            let op = ops.iter().copied().find(|&x| number(x) == o);
            // c_resv: the reserved opcodes
            let resv = bit(o, 4) && bit(o, 3) && (bit(o, 2) || (bit(o, 1) && bit(o, 0)));
            assert_eq!(resv, op.is_none(), "opcode {o}: reserved");
            let Some(op) = op else { continue };
            // r_bc: among the block word instructions, the byte ones
            if matches!(op, Bfetch | Bstore | Bcfetch | Bcstore | Bxchg | Bxadd) {
                let bc = bit(o, 1) ^ bit(o, 0);
                assert_eq!(bc, matches!(op, Bcfetch | Bcstore), "{op:?}");
            }
            // r_ind: among the slot instructions, the indirect ones
            if matches!(
                op,
                NbLoad | NbStore | NnLoad | NnStore | NbLoadI | NbStoreI | NnLoadI | NnStoreI
            ) {
                let ind = bit(o, 3) || (bit(o, 2) && (bit(o, 1) || bit(o, 0)));
                let want = matches!(op, NbLoadI | NbStoreI | NnLoadI | NnStoreI);
                assert_eq!(ind, want, "{op:?}");
            }
            // rnode and r_cur: among bsel..n?, the node ones, and those that read the
            // current register
            if matches!(
                op,
                Bsel | Nsel | Bcopy | Ncopy | Bkeyeq | Nkeyeq | Bweaken | Nweaken | Bquery | Nquery
            ) {
                let rnode = bit(o, 0) || bit(o, 4);
                let want = matches!(op, Nsel | Ncopy | Nkeyeq | Nweaken | Nquery);
                assert_eq!(rnode, want, "{op:?}");
                let cur = bit(o, 3) || (bit(o, 2) && bit(o, 1));
                let want = matches!(op, Bweaken | Nweaken | Bquery | Nquery);
                assert_eq!(cur, want, "{op:?}");
            }
            // the slot stores name a register: nb! nb!i the current block one (bit 1)
            if matches!(op, NbStore | NnStore | NbStoreI | NnStoreI) {
                assert!(bit(o, 4), "{op:?}");
                assert_eq!(bit(o, 1), matches!(op, NbStore | NbStoreI), "{op:?}");
                assert!(!(bit(o, 3) && (bit(o, 1) || bit(o, 0))), "{op:?}");
            }
            // balloc nalloc read the null word
            if matches!(op, Balloc | Nalloc) {
                assert!(bit(o, 4) && bit(o, 3) && (bit(o, 1) || bit(o, 0)), "{op:?}");
            }
        }
    }

    /// The decode tests some instruction groups on single opcode bits rather than on
    /// whole opcodes (fewer LUTs); those tests hold only for the ISA's numbering. They are
    /// checked against the ISA crate's table, so that renumbering an instruction fails
    /// here rather than in the hardware — and a renumbering (b@ and bc@ swapped) does fail.
    #[test]
    fn the_bit_tests_of_the_decode_match_the_isa_table() {
        check_bit_tests(|op| op as u8);
        let swapped = std::panic::catch_unwind(|| {
            check_bit_tests(|op| match op {
                KeyOp::Bfetch => KeyOp::Bcfetch as u8,
                KeyOp::Bcfetch => KeyOp::Bfetch as u8,
                o => o as u8,
            })
        });
        assert!(swapped.is_err(), "a renumbering went unnoticed");
    }

    #[test]
    fn key_unit_yosys_validate() {
        let mut uut = KeyUnit::<1>::new(Some(&small()), BlockMemory::Bram, false);
        uut.connect_all();
        validate("j1k_key_unit", &crate::util::verilog(&uut));
    }
}
