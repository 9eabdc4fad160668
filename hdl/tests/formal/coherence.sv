// The formal check of the coherence unit's exported Verilog (hdl/tests/formal.rs runs it
// with yosys-smtbmc; docs/architecture.md §10). `top` is `Coherence::<2, 2>` as
// `j1k_hdl::util::verilog` exports it; the test has yosys `expose` the internal wires this
// module reads (each tile's request, node lock, allocation result, tags, states and snoop
// flags; the allocator's next index; the transaction's allocation result) as extra ports.
//
// The inputs of this module are free: the solver picks every tile's ask, need, block,
// release and take in every cycle. The assumptions are the tile's side of the protocol
// only (docs/architecture.md §2-§4); everything else is asserted.
`default_nettype none

module coherence_formal #(
    parameter W = 2,       // the block's words
    parameter BLOCKS = 4,  // the store's blocks (the allocator hands out 1 .. BLOCKS - 1)
    parameter S = 4        // node slots: the node lock is held at most S + 2 cycles
) (
    input wire clock,
    input wire reset,
    input wire [1:0] ask,
    input wire [3:0] need,  // 2 bits a tile
    input wire [31:0] blk,  // 16 bits a tile
    input wire [1:0] rel,   // the unit's `unlock`: the node lock is released
    input wire [1:0] take
);
    localparam N = 2;
    localparam DMAX = (2 * W + 2 > S + 2) ? 2 * W + 2 : S + 2;
    // The fairness bound of docs/architecture.md §3, from the cycle a request is raised to
    // the cycle of its grant.
    localparam BOUND = (N - 1) * (DMAX + 1) + 1;

    localparam [1:0] ST_I = 2'd0, ST_S = 2'd1, ST_E = 2'd2, ST_M = 2'd3;
    localparam [1:0] NEED_READ = 2'd0, NEED_WRITE = 2'd1, NEED_LOCK = 2'd2, NEED_ALLOC = 2'd3;
    localparam [2:0] K_NOP = 3'd0, K_FILL_READ = 3'd1, K_FILL_WRITE = 3'd2, K_UPGRADE = 3'd3,
                     K_ALLOC = 3'd4, K_LOCK = 3'd5;

    // The unit's ports.
    wire [1:0] met, alloc_ok;
    wire [5:0] line;
    wire [31:0] alloc_idx;
    wire active, x_writeback, x_source_v;
    wire [2:0] x_kind, x_tile, x_line, x_source, last;
    wire [15:0] x_block, x_left, x_victim_tag;
    wire [1:0] x_age;
    // Its internal registers (exposed). Line i of tile t is index 2t + i.
    wire [1:0] req_v, locked, alloc_v;
    wire [3:0] snoop;
    wire [7:0] st;
    wire [63:0] tag;
    wire [15:0] alloc_next;
    wire alloc_avail, x_ok;

    top uut (
        .clock(clock), .reset(reset), .step(1'b1),
        .port$0$ask(ask[0]), .port$0$need(need[1:0]), .port$0$blk(blk[15:0]),
        .port$0$unlock(rel[0]), .port$0$take(take[0]), .port$0$met(met[0]),
        .port$0$line(line[2:0]), .port$0$alloc_ok(alloc_ok[0]),
        .port$0$alloc_idx(alloc_idx[15:0]),
        .port$1$ask(ask[1]), .port$1$need(need[3:2]), .port$1$blk(blk[31:16]),
        .port$1$unlock(rel[1]), .port$1$take(take[1]), .port$1$met(met[1]),
        .port$1$line(line[5:3]), .port$1$alloc_ok(alloc_ok[1]),
        .port$1$alloc_idx(alloc_idx[31:16]),
        .active(active), .x_kind(x_kind), .x_tile(x_tile), .x_block(x_block),
        .x_line(x_line), .x_writeback(x_writeback), .x_source_v(x_source_v),
        .x_source(x_source), .x_age(x_age), .x_left(x_left), .x_victim_tag(x_victim_tag),
        .last(last),
        .tiles$0$req_v(req_v[0]), .tiles$0$locked(locked[0]), .tiles$0$alloc_v(alloc_v[0]),
        .tiles$0$tags$0(tag[15:0]), .tiles$0$tags$1(tag[31:16]),
        .tiles$0$states$0(st[1:0]), .tiles$0$states$1(st[3:2]),
        .tiles$0$snoops$0(snoop[0]), .tiles$0$snoops$1(snoop[1]),
        .tiles$1$req_v(req_v[1]), .tiles$1$locked(locked[1]), .tiles$1$alloc_v(alloc_v[1]),
        .tiles$1$tags$0(tag[47:32]), .tiles$1$tags$1(tag[63:48]),
        .tiles$1$states$0(st[5:4]), .tiles$1$states$1(st[7:6]),
        .tiles$1$snoops$0(snoop[2]), .tiles$1$snoops$1(snoop[3]),
        .alloc$idx(alloc_next), .alloc$avail(alloc_avail), .xok$q(x_ok)
    );

    // Reset in the first cycle only; nothing is checked in it.
    reg init = 1'b1;
    always @(posedge clock) init <= 1'b0;
    always @(*) assume (reset == init);

    // The previous cycle's view (for the first cycle of a transaction, and its registers).
    reg was_active = 1'b0;
    reg [2:0] p_kind = 3'd0, p_tile = 3'd0, p_line = 3'd0;
    reg [15:0] p_block = 16'd0;
    reg [1:0] p_req_v = 2'd0;
    always @(posedge clock) begin
        was_active <= active;
        p_kind <= x_kind;
        p_tile <= x_tile;
        p_line <= x_line;
        p_block <= x_block;
        p_req_v <= req_v;
    end
    // A transaction granted at the end of the last cycle runs its first cycle now; one that
    // completed at the end of the last cycle has ended (the unit is idle now).
    wire first = active && !was_active;
    wire ended = !active && was_active;
    wire is_fill = x_kind == K_FILL_READ || x_kind == K_FILL_WRITE;

    // The blocks a key can name: those the allocator handed out (1 .. its next index - 1,
    // all of 1 .. BLOCKS - 1 once it is empty). Block 0 (null) never asks.
    wire [15:0] limit = alloc_avail ? alloc_next : BLOCKS;

    // Each check of a tile or a line is one bit here; the labelled assertions below take
    // them all (a counterexample names the label).
    wire [N-1:0] ok_bound, ok_served, ok_lock, hit_bound, hit_served;
    wire [3:0] ok_swmr;       // line i of tile 0 against line j of tile 1: bit 2i + j
    wire [N-1:0] ok_one_line; // a tile's two lines
    wire [2*N-1:0] ok_snoop;  // line i of tile t: bit 2t + i

    genvar t, i, j;
    generate
        for (t = 0; t < N; t = t + 1) begin : tile
            wire [1:0] nd = need[2 * t +: 2];
            wire [15:0] b = blk[16 * t +: 16];

            // ---- The tile's side of the protocol (assumed) ----
            // An ask that is not met is asked again in the next cycle, the same need and
            // block (the instruction waits, its pc held), until it is met.
            reg pend = 1'b0;
            reg [1:0] pneed = 2'd0;
            reg [15:0] pblk = 16'd0;
            always @(posedge clock) begin
                pend <= !reset && ask[t] && !met[t];
                pneed <= nd;
                pblk <= b;
            end
            // The node lock is released within S + 2 cycles (the longest node instruction,
            // `nalloc`): `held` counts the cycles it has been held before this one.
            reg [7:0] held = 8'd0;
            always @(posedge clock) held <= (locked[t] && !reset) ? held + 8'd1 : 8'd0;
            always @(*) begin
                if (pend) assume (ask[t] && nd == pneed && b == pblk);
                // A block access names an allocated block.
                if (ask[t] && (nd == NEED_READ || nd == NEED_WRITE))
                    assume (b != 16'd0 && b < limit);
                if (locked[t] && held == S + 1) assume (rel[t]);
                // While it holds the node lock the tile runs its node instruction: it
                // asks for nothing else (its next instruction starts after the release).
                if (locked[t] && ask[t]) assume (nd == NEED_LOCK);
            end

            // ---- Assertion 2: no lost grant, bounded wait ----
            // `age`: cycles since the cycle that raised the pending request (1 in the first
            // cycle it is visible); `granted`: its grant has been seen.
            reg [7:0] age = 8'd1;
            reg granted = 1'b0;
            wire grant_seen = first && x_tile == t;
            always @(posedge clock) begin
                if (reset || !req_v[t]) begin
                    age <= 8'd1;
                    granted <= 1'b0;
                end else begin
                    age <= age + 8'd1;
                    if (grant_seen) granted <= 1'b1;
                end
            end
            // A request still waiting in this cycle was raised at most BOUND cycles ago.
            assign ok_bound[t] = !(req_v[t] && !granted && !grant_seen) || age <= BOUND;
            // Its transaction done (its node lock granted), the waiting ask is met.
            wire served = (ended && x_tile == t && x_kind != K_LOCK)
                       || (first && x_tile == t && x_kind == K_LOCK);
            assign ok_served[t] = !(served && ask[t]) || met[t];
            // A tile that holds the node lock is the running transaction's, a node lock.
            assign ok_lock[t] = !locked[t] || (active && x_kind == K_LOCK && x_tile == t);
            // A grant after exactly BOUND cycles; a tile met after its write fill.
            assign hit_bound[t] = grant_seen && age == BOUND + 1;
            assign hit_served[t] = served && ask[t] && met[t] && x_kind == K_FILL_WRITE;

            // ---- Assertion 1: one writer or many readers, at the registers ----
            for (i = 0; i < 2; i = i + 1) begin : ln
                wire [1:0] s = st[2 * (2 * t + i) +: 2];
                wire [15:0] g = tag[16 * (2 * t + i) +: 16];
                if (t == 0) begin : pairs
                    for (j = 0; j < 2; j = j + 1) begin : oln
                        wire [1:0] s2 = st[2 * (2 + j) +: 2];
                        wire [15:0] g2 = tag[16 * (2 + j) +: 16];
                        // Two tiles' valid copies of one block are both S.
                        assign ok_swmr[2 * i + j] = !(s != ST_I && s2 != ST_I && g == g2)
                                                  || (s == ST_S && s2 == ST_S);
                    end
                end
                // A snoop flag is the announce of another tile's fill or upgrade of this
                // valid copy, and lasts exactly as long as that transaction.
                assign ok_snoop[2 * t + i] = !snoop[2 * t + i]
                    || (s != ST_I && active && x_tile != t && x_block == g
                        && (is_fill || x_kind == K_UPGRADE));
            end
            // A tile holds a block in one line at most.
            assign ok_one_line[t] = !(st[4 * t +: 2] != ST_I && st[4 * t + 2 +: 2] != ST_I
                                      && tag[32 * t +: 16] == tag[32 * t + 16 +: 16]);
        end
    endgenerate

    always @(*) if (!init) begin
        a1_swmr: assert (&ok_swmr);
        a1_one_line: assert (&ok_one_line);
        a1_snoop: assert (&ok_snoop);
        a2_bound: assert (&ok_bound);
        a2_served: assert (&ok_served);
        a3_lock: assert (&ok_lock);
        c_bound: cover (|hit_bound);
        c_served: cover (|hit_served);
    end

    // ---- Assertion 3: one transaction at a time, for a tile that asked ----
    // `dur`: the cycles the transaction has run before this one. When it has ended, its
    // registers still hold it (the next grant is at the end of this idle cycle).
    reg [7:0] dur = 8'd0;
    always @(posedge clock) dur <= active ? dur + 8'd1 : 8'd0;
    reg [7:0] want;  // D of docs/architecture.md §3 (a node lock: its holder's cycles)
    always @(*) case (x_kind)
        K_FILL_READ, K_FILL_WRITE: want = x_writeback ? 2 + 2 * W : 2 + W;
        K_UPGRADE: want = 2;
        K_ALLOC: want = (x_ok && x_writeback) ? W + 1 : 1;
        default: want = 1;
    endcase
    always @(*) if (!init) begin
        // Every transaction takes the cycles of §3, at most DMAX.
        if (ended) a3_cycles: assert (x_kind == K_LOCK ? dur >= 1 && dur <= S + 2 : dur == want);
        if (active) a3_dmax: assert (dur < DMAX);
        // The transaction granted at the end of the last cycle is a requesting tile's.
        if (first) a3_requested: assert (x_tile < N && p_req_v[x_tile]);
        // No grant while a transaction runs: its registers stay, its age only grows.
        if (active && was_active)
            a3_one: assert (x_tile == p_tile && x_kind == p_kind && x_block == p_block
                            && x_line == p_line && x_age != 2'd1);
        // A transaction keeps its request (a node lock: the lock) until it ends.
        if (active && x_kind != K_LOCK) a3_request_kept: assert (req_v[x_tile]);
        if (active) a3_kind: assert (x_kind <= K_LOCK);
    end

    // ---- Every kind of transaction is reachable (run with yosys-smtbmc -c) ----
    always @(*) if (!init && first) begin
        c_fill_read: cover (x_kind == K_FILL_READ);
        c_fill_write: cover (x_kind == K_FILL_WRITE);
        c_upgrade: cover (x_kind == K_UPGRADE);
        c_nop: cover (x_kind == K_NOP);
        c_lock: cover (x_kind == K_LOCK);
        c_alloc: cover (x_kind == K_ALLOC && x_ok);
        c_alloc_full: cover (x_kind == K_ALLOC && !x_ok);
        c_alloc_victim_m: cover (x_kind == K_ALLOC && x_writeback);
        c_fill_victim_m: cover (is_fill && x_writeback);
        c_fill_source_m: cover (is_fill && x_source_v);
    end
    // A read fill that ends shared (the other copy goes from E or M to S).
    always @(*) if (!init && ended && x_kind == K_FILL_READ)
        c_fill_shared: cover (st[2 * (2 * x_tile + x_line) +: 2] == ST_S);
endmodule
