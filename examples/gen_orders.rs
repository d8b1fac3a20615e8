//! Synthetic store order exports for goldpan's benchmarks and large-input tests.
//!
//!   cargo run --release --example gen_orders -- --orders 1000000 --format shopify \
//!       [--seed 42] [--end-date 2026-11-01] [--newest-first] [--out FILE]
//!
//! Formats: shopify (the 79-column orders export), bigcommerce (the urbanseeds header plus
//! `Customer Email`, CRLF), woocommerce (Customer/Order/Coupon Export "Default" layout).
//! Standard library only, so it builds with plain `rustc` and never drifts with a crate.
//! Co-purchases: a cart with the first product of one of the `KITS` often has the second too.
//! Same seed + arguments => byte-identical output: customer c and order #(1001+k) each
//! draw from their own PRNG stream, so `--newest-first` only reverses the rows.
//! Orders fall on the ~3 years of days strictly before --end-date: run goldpan with
//! `--as-of <end-date>`. Money is integer cents throughout; on every order
//! Subtotal = sum(qty x price) - Discount Amount and Total = Subtotal + Shipping + Taxes.
// Kept deliberately dense (data tables, one-line helpers); rustfmt would triple its length.
#![cfg_attr(rustfmt, rustfmt::skip)]
use std::fmt::Write as _; // write! into Strings
use std::io::Write; // write! into Vec<u8>

const USAGE: &str = "usage: gen_orders --orders N [--format shopify|bigcommerce|woocommerce] \
[--seed 42] [--end-date 2026-11-01] [--newest-first] [--out FILE]";
const SPAN_DAYS: i64 = 1096; // ~3 years of history

/// splitmix64: tiny, fast, statistically fine for test data, and trivially split into streams.
struct Rng(u64);
impl Rng {
    fn new(seed: u64, stream: u64, salt: u64) -> Rng {
        let mut r = Rng(seed ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.0 ^= r.next() ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 { ((self.next() as u128 * n as u128) >> 64) as u64 }
    fn index(&mut self, len: usize) -> usize { self.below(len as u64) as usize }
    fn unit(&mut self) -> f64 { (self.next() >> 11) as f64 / (1u64 << 53) as f64 }
    fn chance(&mut self, p: f64) -> bool { self.unit() < p }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T { xs[self.index(xs.len())] }
}

// (display, ASCII slug for e-mails). Non-ASCII names and an apostrophe on purpose.
const FIRST: &[(&str, &str)] = &[
    ("James", "james"), ("Mary", "mary"), ("Robert", "robert"), ("Patricia", "patricia"), ("John", "john"),
    ("Jennifer", "jennifer"), ("Michael", "michael"), ("Linda", "linda"), ("David", "david"), ("Emma", "emma"),
    ("William", "william"), ("Barbara", "barbara"), ("Carlos", "carlos"), ("Sofía", "sofia"), ("José", "jose"),
    ("Zoë", "zoe"), ("Łukasz", "lukasz"), ("Siobhán", "siobhan"), ("Wei", "wei"), ("Aiko", "aiko"),
    ("Priya", "priya"), ("Ahmed", "ahmed"), ("Olga", "olga"), ("Kwame", "kwame"), ("Noah", "noah"), ("Mia", "mia"),
];
const LAST: &[(&str, &str)] = &[
    ("Smith", "smith"), ("Johnson", "johnson"), ("Williams", "williams"), ("Brown", "brown"), ("Jones", "jones"),
    ("Garcia", "garcia"), ("Miller", "miller"), ("Davis", "davis"), ("Rodríguez", "rodriguez"), ("Lopez", "lopez"),
    ("Hernández", "hernandez"), ("O'Brien", "obrien"), ("Nguyễn", "nguyen"), ("Müller", "muller"), ("Chen", "chen"),
    ("Kowalski", "kowalski"), ("Patel", "patel"), ("Kim", "kim"), ("Okafor", "okafor"), ("Taylor", "taylor"),
    ("Thomas", "thomas"), ("Moore", "moore"), ("田中", "tanaka"), ("Jackson", "jackson"), ("White", "white"),
];
const FREEMAIL: &[&str] = &["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com",
    "icloud.com", "aol.com", "proton.me", "comcast.net"];
// (company, work e-mail domain)
const COMPANIES: &[(&str, &str)] = &[
    ("Sierra Prospecting Supply", "sierraprospecting.com"), ("Klondike Outfitters, LLC", "klondikeoutfitters.com"),
    ("Mother Lode Rock Shop", "motherloderocks.com"), ("Placer County Scouts", "placerscouts.org"),
    ("Yukon Field Schools Inc.", "yukonfield.edu"), ("Rio Oro Trading Co.", "riooro.com"),
    ("Bedrock & Sons", "bedrocksons.com"), ("Gold Country Museum", "goldcountrymuseum.org"),
];
// Billing Company noise that goldpan must treat as empty (docs/definitions.md section 1).
const NOISE: &[&str] = &["n/a", "-", "N/A", "none", "Home", "self", ".", " n/a "];
// (city, state, state name, first 3 zip digits). New England/NJ zips start with 0.
const CITIES: &[(&str, &str, &str, u32)] = &[
    ("Boston", "MA", "Massachusetts", 21), ("Providence", "RI", "Rhode Island", 29), ("Hartford", "CT", "Connecticut", 61),
    ("Burlington", "VT", "Vermont", 54), ("Portland", "ME", "Maine", 41), ("Newark", "NJ", "New Jersey", 71),
    ("New York", "NY", "New York", 100), ("Buffalo", "NY", "New York", 142), ("Philadelphia", "PA", "Pennsylvania", 191),
    ("Chicago", "IL", "Illinois", 606), ("Evansville", "IN", "Indiana", 477), ("Columbus", "OH", "Ohio", 432),
    ("Austin", "TX", "Texas", 787), ("Denver", "CO", "Colorado", 802), ("Sacramento", "CA", "California", 958),
    ("Los Angeles", "CA", "California", 900), ("Seattle", "WA", "Washington", 981), ("Portland", "OR", "Oregon", 972),
    ("Atlanta", "GA", "Georgia", 303), ("Miami", "FL", "Florida", 331), ("Fairbanks", "AK", "Alaska", 997),
];
const STREETS: &[&str] = &["Maple Ave", "Main St", "Oak St", "Sutter Creek Rd", "Placer Way", "Canyon Dr", "2nd St",
    "Elm St", "Miner's Ln", "Riverside Dr"];
// (name, sku, unit price in cents, vendor, BigCommerce variation details). Names carry `"`, `,`,
// `:` and `;`, details carry HTML entities, so every writer's quoting and escaping gets exercised.
const PRODUCTS: &[(&str, &str, i64, &str, &str)] = &[
    ("Classic Gold Pan 14\"", "GP-14", 2495, "Goldpan Supply", "Color: Green, Riffles: Dual"),
    ("Classic Gold Pan 10\"", "GP-10", 1895, "Goldpan Supply", "Color: Black, Riffles: Single"),
    ("Sluice Box: Trailblazer 36\"", "SB-TB36", 12900, "Keene", "Length: 36&quot;, Mat: Miner&#039;s Moss"),
    ("Classifier Sieve 1/4\"", "CS-025", 1299, "Goldpan Supply", "Mesh: 1/4&quot;"),
    ("Snuffer Bottle", "SN-01", 699, "Goldpan Supply", ""),
    ("Glass Vials, 6 pack", "VL-6", 899, "Goldpan Supply", "Size: 2 dram"),
    ("Pocket Loupe 10x", "LP-10", 1450, "Optix", ""),
    ("Crevice Tool Kit", "CT-KIT", 2250, "Keene", "Pieces: 3, Case: Canvas"),
    ("Paydirt Bag - Klondike 2 lb", "PD-KL2", 4999, "Bonanza Paydirt", "Guarantee: 1 gram, Bonus: Garnets &amp; silver"),
    ("Paydirt Bag - Yukon 5 lb", "PD-YK5", 10900, "Bonanza Paydirt", "Guarantee: 3 grams, Bonus: None"),
    ("Black Sand Magnet", "BSM-1", 1595, "Goldpan Supply", ""),
    ("Folding Shovel", "FS-1", 2999, "TrailCo", "Handle: Steel"),
    ("Highbanker Pro", "HB-PRO", 54900, "Keene", "Pump: 2&quot;, Hose: 25 ft"),
    ("Gold Test Kit", "GTK-3", 1999, "Optix", ""),
    ("Field Guide: Placer Gold of the West", "BK-PGW", 2495, "Prospector Press", "Format: Paperback"),
    ("Gift Card", "", 2500, "Goldpan Supply", "Amount: $25"),
    ("Miner's Hat — Canvas", "HT-CNV", 3400, "TrailCo", "Size: L"),
    ("Nitrile Gloves; 12 pairs", "GL-12", 1199, "TrailCo", "Size: M"),
    ("Café Tin Cup", "CUP-T", 899, "TrailCo", ""),
    ("Panning Tub 25 L", "TUB-25", 2799, "Goldpan Supply", "Color: Blue"),
];
const HIGHBANKER: usize = 12;
const CASE_LOTS: &[usize] = &[0, 1, 4, 5, 10, 17]; // what B2B buyers order by the dozen
const PRICEY: &[usize] = &[2, 8, 9, 9, HIGHBANKER]; // what big spenders add to the cart
// What goes with what (snuffer bottle -> vials, 14" pan -> sieve, sluice -> crevice tools): 60% of
// the carts with the first add the second, so `goldpan related` has true pairs to find.
const KITS: &[[usize; 2]] = &[[4, 5], [0, 3], [2, 7]];
const NOTES: &[&str] = &["Please leave at the back door, not the porch.\nGate code is \"4471\".",
    "Gift - please don't include the invoice", "Call on arrival, 555-0142",
    "Ship with the next batch, \"same as last time\",\r\nthanks!", "Birthday present for my dad; wrap if you can"];

/// Civil date <-> days since 1970-01-01 (Howard Hinnant's algorithms).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m as i64 + 9) % 12) + 2) / 5 + d as i64 - 1;
    era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468
}
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + (m <= 2) as i64, m, (doy - (153 * mp + 2) / 5 + 1) as u32)
}
/// The store is on US Eastern time: DST from the 2nd Sunday of March to the 1st Sunday of November.
fn eastern_dst(y: i64, m: u32, d: u32, h: u32) -> bool {
    let first_sunday = |m| 1 + (7 - (days_from_civil(y, m, 1) + 4).rem_euclid(7) as u32) % 7;
    match m {
        4..=10 => true,
        3 => { let s = first_sunday(3) + 7; d > s || (d == s && h >= 2) }
        11 => { let s = first_sunday(11); d < s || (d == s && h < 1) }
        _ => false,
    }
}
/// Local times in the hour skipped when clocks spring forward do not exist: move them an hour on.
fn skip_gap(t: i64) -> i64 {
    let (y, m, d) = civil_from_days(t.div_euclid(86400));
    let in_gap = m == 3 && t.rem_euclid(86400) / 3600 == 2 && eastern_dst(y, m, d, 2) && !eastern_dst(y, m, d, 1);
    if in_gap { t + 3600 } else { t }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind { OneTime, Repeat, Lapsed, B2B }
#[derive(Clone, Copy)]
enum Company { None, Real(usize), Noise(usize), Personal }

/// A customer, recomputed on demand from its own stream so a million of them cost no memory.
struct Customer {
    kind: Kind, weight: f64, first_day: i64, last_day: i64, company: Company, domain: &'static str,
    first: usize, last: usize, city: usize, street: u32, apt: u32, phone: u32,
    style: u64, mixed_case: bool, premium: bool, marketing: bool, registered: bool,
}
fn customer(r: &mut Rng) -> Customer {
    let u = r.unit();
    // 55% buy once, 27% keep buying, 16% stopped 60-200 days before the end, 2% buy in bulk.
    let kind = if u < 0.55 { Kind::OneTime } else if u < 0.82 { Kind::Repeat } else if u < 0.98 { Kind::Lapsed } else { Kind::B2B };
    // A Pareto(alpha 2) share of the repeat orders, plus bulk orders and big spenders, puts
    // ~2/3 of revenue in the top 20% of customers. Capped so no one dominates small files.
    let weight = if kind == Kind::OneTime { 0.0 } else { (1.0 - r.unit()).powf(-1.0 / 2.0).min(60.0) };
    let start = r.below(SPAN_DAYS as u64) as i64;
    let (first_day, last_day) = match kind {
        Kind::OneTime => (0, SPAN_DAYS - 1),
        Kind::Lapsed => { let l = SPAN_DAYS - 60 - r.below(141) as i64; ((l - 30 - r.below(500) as i64).max(0), l) }
        _ => (start, SPAN_DAYS - 1), // acquired at some point, still buying
    };
    let company = match kind {
        Kind::B2B if r.chance(0.8) => Company::Real(r.index(COMPANIES.len())),
        _ if r.chance(0.03) => Company::Noise(r.index(NOISE.len())),
        _ if r.chance(0.003) => Company::Personal, // their own name: real exports do this too
        _ => Company::None,
    };
    let domain = match company { Company::Real(i) if r.chance(0.85) => COMPANIES[i].1, _ => r.pick(FREEMAIL) };
    Customer {
        kind, weight, first_day, last_day, company, domain,
        first: r.index(FIRST.len()), last: r.index(LAST.len()), city: r.index(CITIES.len()),
        street: 1 + r.below(9000) as u32, apt: if r.chance(0.25) { 1 + r.below(400) as u32 } else { 0 },
        phone: if r.chance(0.6) { 200 + r.below(700) as u32 } else { 0 },
        style: r.below(3), mixed_case: r.chance(0.03), premium: r.chance(0.10),
        marketing: r.chance(0.45), registered: r.chance(0.8),
    }
}

#[derive(Clone, Copy, PartialEq, Default)]
enum Outcome { #[default] Paid, Pending, Authorized, PartiallyPaid, PartRefunded, Refunded, CancelVoid, CancelRefund, Expired, Test }
// Cumulative odds; the rest is Paid. ~3% cancelled, ~4% partially refunded, 0.2% test orders.
const OUTCOMES: &[(f64, Outcome)] = &[(0.002, Outcome::Test), (0.017, Outcome::CancelVoid), (0.032, Outcome::CancelRefund),
    (0.072, Outcome::PartRefunded), (0.079, Outcome::Refunded), (0.089, Outcome::Pending), (0.094, Outcome::Authorized),
    (0.096, Outcome::PartiallyPaid), (0.099, Outcome::Expired)];

struct Line { p: usize, qty: i64, disc: i64 }
/// One order, format-neutral; a single instance is refilled for every order.
#[derive(Default)]
struct Order {
    number: u64, created: i64, cust_id: u64, email: String, name: String, company: String,
    addr1: String, addr2: String, street: String, city: usize, zip: u32, phone: String, marketing: bool,
    lines: Vec<Line>, items: i64, disc: i64, code: &'static str, ship: i64, ship_method: &'static str,
    tax: i64, total: i64, refunded: i64, outcome: Outcome, pay: &'static str, payref: String,
    paid_at: Option<i64>, fulfilled_at: Option<i64>, cancelled_at: Option<i64>,
    source: &'static str, note: &'static str, tags: &'static str, risk: &'static str,
}

fn build(o: &mut Order, r: &mut Rng, c: Option<(u64, Customer)>, end: i64) {
    let guest = c.is_none(); // no e-mail: POS, draft, marketplace relay
    let (cid, cu) = c.unwrap_or_else(|| (0, customer(r)));
    let (f, l) = (FIRST[cu.first], LAST[cu.last]);
    o.email.clear();
    if !guest {
        let (a, b, d, id) = (f.1, l.1, cu.domain, cid + 1); // the id keeps e-mails unique
        match cu.style {
            0 => write!(o.email, "{a}.{b}{id}@{d}"),
            1 => write!(o.email, "{a}{b}{id}@{d}"),
            _ => write!(o.email, "{}.{b}{id}@{d}", &a[..1]),
        }.unwrap();
        if cu.mixed_case { // `Jane.doe7@Gmail.com`, on every order of that customer
            let at = o.email.find('@').unwrap();
            o.email[..1].make_ascii_uppercase();
            o.email[at + 1..at + 2].make_ascii_uppercase();
        }
        // Now and then the same customer's address comes out differently: goldpan must merge.
        if r.chance(0.02) { o.email = o.email.to_uppercase(); } else if r.chance(0.02) { o.email = format!("  {} ", o.email); }
    }
    o.cust_id = if guest || !cu.registered { 0 } else { cid + 1 };
    o.name.clear();
    if !(guest && r.chance(0.5)) { write!(o.name, "{} {}", f.0, l.0).unwrap(); }
    o.company.clear();
    match cu.company {
        Company::Real(i) if r.chance(0.9) => o.company.push_str(COMPANIES[i].0),
        Company::Noise(i) => o.company.push_str(NOISE[i]),
        Company::Personal => o.company.push_str(&o.name.clone()),
        _ => {}
    }
    (o.city, o.zip, o.marketing) = (cu.city, CITIES[cu.city].3 * 100 + cu.street % 100, cu.marketing);
    for s in [&mut o.addr1, &mut o.addr2, &mut o.street, &mut o.phone] { s.clear(); }
    write!(o.addr1, "{} {}", cu.street, STREETS[cu.street as usize % STREETS.len()]).unwrap();
    if cu.apt > 0 { write!(o.addr2, "{} {}", if o.company.is_empty() { "Apt" } else { "Suite" }, cu.apt).unwrap(); }
    o.street.push_str(&o.addr1);
    if cu.apt > 0 { write!(o.street, ", {}", o.addr2).unwrap(); }
    if cu.phone > 0 { write!(o.phone, "+1 {}-555-{:04}", cu.phone, cu.street % 10000).unwrap(); }

    // Line items. B2B buyers mostly order case lots: 36+ units in one order.
    let bulk = cu.kind == Kind::B2B && r.chance(0.75);
    let n = if bulk { 2 + r.below(2) } else { r.pick(&[1, 1, 1, 1, 1, 2, 2, 2, 3, 4]) };
    o.lines.clear();
    for _ in 0..n {
        let p = if bulk { r.pick(CASE_LOTS) } else if cu.premium && r.chance(0.4) { r.pick(PRICEY) } else {
            match r.index(PRODUCTS.len()) { HIGHBANKER if !cu.premium => HIGHBANKER + 1, p => p }
        };
        let qty = if bulk { 12 * (1 + r.below(2) as i64) } else { r.pick(&[1, 1, 1, 1, 1, 1, 2, 2, 3, 4]) };
        o.lines.push(Line { p, qty, disc: 0 });
        if let Some(kit) = KITS.iter().find(|kit| kit[0] == p && !bulk) && r.chance(0.6) {
            o.lines.push(Line { p: kit[1], qty: 1, disc: 0 });
        }
    }
    if bulk && o.lines.iter().map(|x| x.qty).sum::<i64>() < 36 { o.lines[0].qty += 12; }
    o.items = o.lines.iter().map(|x| x.qty * PRODUCTS[x.p].2).sum();
    (o.code, o.disc) = if r.chance(0.12) {
        let (code, pct) = r.pick(&[("WELCOME10", 10), ("SPRING15", 15), ("VIP20", 20)]);
        (code, o.items * pct / 100)
    } else { ("", 0) };
    // The discount is spread over the lines pro rata, the rounding remainder on the last line.
    let (mut left, nl) = (o.disc, o.lines.len());
    for (i, x) in o.lines.iter_mut().enumerate() {
        x.disc = if i + 1 == nl { left } else { o.disc * x.qty * PRODUCTS[x.p].2 / o.items.max(1) };
        left -= x.disc;
    }
    let sub = o.items - o.disc;
    (o.ship_method, o.ship) = if r.chance(0.05) { ("Local Pickup", 0) } else if r.chance(0.15) { ("Express", 1495) }
        else if sub >= 9900 { ("Free Shipping", 0) } else { ("Standard", 695) };
    // Sales tax only where the store has nexus (NY, 8.875%), added on top, rounded half up.
    o.tax = if CITIES[o.city].1 == "NY" { (sub * 8875 + 50_000) / 100_000 } else { 0 };
    o.total = sub + o.ship + o.tax;

    let u = r.unit();
    o.outcome = OUTCOMES.iter().find(|(p, _)| u < *p).map_or(Outcome::Paid, |x| x.1);
    o.refunded = match o.outcome {
        Outcome::PartRefunded => o.total * (10 + r.below(60) as i64) / 100,
        Outcome::CancelRefund => o.total,
        Outcome::Refunded => o.total + if r.chance(0.1) { 595 } else { 0 }, // can exceed Total, as in real files
        _ => 0,
    };
    o.source = if guest { r.pick(&["pos", "pos", "shopify_draft_order", "580111"]) }
        else if cu.kind == Kind::B2B { r.pick(&["web", "shopify_draft_order"]) }
        else { r.pick(&["web", "web", "web", "web", "web", "web", "iphone", "android"]) };
    o.pay = if o.outcome == Outcome::Test { "(for testing) Bogus Gateway" }
        else if o.source == "pos" { r.pick(&["Cash", "Shopify Payments"]) }
        else if o.source == "shopify_draft_order" { "manual" }
        else { r.pick(&["Shopify Payments", "Shopify Payments", "Shopify Payments", "PayPal Express Checkout", "Shop Pay Installments"]) };
    let unpaid = matches!(o.outcome, Outcome::Pending | Outcome::Authorized | Outcome::CancelVoid | Outcome::Expired);
    o.paid_at = if unpaid { None } else { Some(o.created + r.below(5) as i64) };
    let cancelled = matches!(o.outcome, Outcome::CancelVoid | Outcome::CancelRefund);
    o.cancelled_at = if cancelled { Some(o.created + 3600 + r.below(2 * 86400) as i64) } else { None };
    let shipped = o.created + 86400 + r.below(4 * 86400) as i64; // so the last few days are unfulfilled
    o.fulfilled_at = if cancelled || o.outcome == Outcome::Expired || shipped >= end { None } else { Some(shipped) };
    o.note = if r.chance(0.015) { r.pick(NOTES) } else { "" };
    o.tags = if cu.kind == Kind::B2B { r.pick(&["wholesale", "wholesale, net30", ""]) } else if cu.weight > 20.0 { "vip" } else { "" };
    o.risk = if r.chance(0.03) { "Medium" } else if r.chance(0.005) { "High" } else { "Low" };
    o.payref.clear();
    o.payref.push('r');
    for _ in 0..24 { o.payref.push(r.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") as char); }
}

// ---- CSV writing into one reused byte buffer: each helper appends a cell and a comma.
fn cell(b: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
        b.push(b'"');
        for c in s.bytes() { if c == b'"' { b.push(b'"'); } b.push(c); }
        b.push(b'"');
    } else { b.extend_from_slice(s.as_bytes()); }
    b.push(b',');
}
/// Shopify writes some empty cells as `""` rather than nothing.
fn cell_q(b: &mut Vec<u8>, s: &str) { if s.is_empty() { b.extend_from_slice(b"\"\","); } else { cell(b, s); } }
fn empties(b: &mut Vec<u8>, n: usize) { b.resize(b.len() + n, b','); }
fn num(b: &mut Vec<u8>, v: u64) { let _ = write!(b, "{v},"); }
fn money(b: &mut Vec<u8>, c: i64) { let _ = write!(b, "{}{}.{:02},", if c < 0 { "-" } else { "" }, c.abs() / 100, c.abs() % 100); }
fn end_row(b: &mut Vec<u8>, crlf: bool) { b.pop(); b.extend_from_slice(if crlf { b"\r\n" } else { b"\n" }); }
/// Local wall-clock seconds since 1970 -> `2025-05-11 09:55:16 -0400` (or without the offset).
fn stamp(b: &mut Vec<u8>, t: Option<i64>, offset: bool) {
    let Some(t) = t.map(skip_gap) else { b.push(b','); return };
    let (y, m, d) = civil_from_days(t.div_euclid(86400));
    let s = t.rem_euclid(86400) as u32;
    let _ = write!(b, "{y}-{m:02}-{d:02} {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    if !offset { b.push(b','); } else if eastern_dst(y, m, d, s / 3600) { b.extend_from_slice(b" -0400,"); } else { b.extend_from_slice(b" -0500,"); }
}

/// One row per line item; order-level cells only on the order's first row.
fn shopify(b: &mut Vec<u8>, o: &Order) {
    let status = match o.outcome {
        Outcome::Paid | Outcome::Test => "paid", Outcome::Pending => "pending", Outcome::Authorized => "authorized",
        Outcome::PartiallyPaid => "partially_paid", Outcome::PartRefunded => "partially_refunded",
        Outcome::Refunded | Outcome::CancelRefund => "refunded", Outcome::CancelVoid => "voided", Outcome::Expired => "expired",
    };
    let (city, st, st_name, _) = CITIES[o.city];
    let mut zip = format!("{:05}", o.zip);
    if zip.starts_with('0') || o.number.is_multiple_of(10) { zip.insert(0, '\''); } // spreadsheet-safe exports do this
    let phone = if o.phone.is_empty() || !o.number.is_multiple_of(7) { o.phone.clone() } else { format!("'{}", o.phone) };
    let counter = o.source == "pos";
    let ships_to = !counter && o.source != "shopify_draft_order" && o.source != "580111"
        && o.ship_method != "Local Pickup" && o.lines.iter().any(|x| !PRODUCTS[x.p].1.is_empty());
    for (i, x) in o.lines.iter().enumerate() {
        let ((pname, sku, price, vendor, _), first) = (PRODUCTS[x.p], i == 0);
        let _ = write!(b, "#{},", o.number);
        cell(b, &o.email);
        if first {
            cell(b, status); stamp(b, o.paid_at, true);
            cell(b, if o.fulfilled_at.is_some() { "fulfilled" } else { "unfulfilled" }); stamp(b, o.fulfilled_at, true);
            cell(b, if o.marketing { "yes" } else { "no" }); cell(b, "USD");
            money(b, o.items - o.disc); money(b, o.ship); money(b, o.tax); money(b, o.total);
            cell_q(b, o.code); money(b, o.disc); cell_q(b, if ships_to { o.ship_method } else { "" });
        } else { empties(b, 13); }
        stamp(b, Some(o.created), true);
        num(b, x.qty as u64); cell(b, pname); money(b, price);
        if x.p % 5 == 0 { money(b, price * 13 / 10); } else { cell_q(b, ""); } // compare-at price
        let ships = if sku.is_empty() { "false" } else { "true" }; // the gift card neither ships nor is taxed
        cell(b, sku); cell(b, ships); cell(b, ships);
        cell(b, if o.fulfilled_at.is_some() { "fulfilled" } else { "pending" });
        if first {
            // Real exports (the samples' shape, benches/replicate.py --shape): counter sales
            // have no address, and orders that do not ship (counter, draft, marketplace, pickup,
            // gift cards only) no shipping block and no shipping method.
            for block in 0..2 { // the billing block, then the same shipping block
                if block == 1 && !ships_to {
                    empties(b, 10);
                    continue;
                }
                cell(b, &o.name);
                if counter { empties(b, 3); } else { cell(b, &o.street); cell(b, &o.addr1); cell(b, &o.addr2); }
                cell(b, &o.company);
                if counter { empties(b, 4); } else { cell(b, city); cell(b, &zip); cell(b, st); cell(b, "US"); }
                cell(b, &phone);
            }
            cell_q(b, o.note); cell(b, if o.note.starts_with("Birthday") { "gift_wrap: yes" } else { "" });
            stamp(b, o.cancelled_at, true); cell(b, o.pay); cell(b, &o.payref); money(b, o.refunded);
        } else { empties(b, 26); }
        cell(b, vendor);
        if first {
            money(b, if o.paid_at.is_none() && o.cancelled_at.is_none() { o.total } else { 0 }); // Outstanding Balance
            if o.source == "pos" { cell(b, "Dana Whitaker"); cell(b, "Main Street Store"); } else { empties(b, 2); }
            empties(b, 1); // Device ID
            num(b, 5_600_000_000_000 + o.number * 1000 + o.number % 997);
            cell_q(b, o.tags); cell(b, o.risk); cell(b, o.source);
        } else { empties(b, 8); }
        money(b, x.disc);
        if first && o.tax > 0 { cell(b, "NY State Tax 8.875%"); money(b, o.tax); empties(b, 8); } else { empties(b, 10); }
        // `Phone` is the order's own contact phone, on its first row, given at the counter.
        if first && counter { cell(b, &phone); } else { empties(b, 1); }
        if first {
            empties(b, 2);
            if counter { empties(b, 1); } else { cell(b, st_name); }
            if ships_to { cell(b, st_name); } else { empties(b, 1); }
            cell(b, &o.payref);
            if o.tags.contains("net30") { cell(b, "Net 30"); stamp(b, Some(o.created + 30 * 86400), true); } else { empties(b, 2); }
            cell(b, &o.payref);
        } else { empties(b, 8); }
        end_row(b, false);
    }
}

/// One row per order, every product packed into `Product Details`; dd/mm/yyyy dates.
fn bigcommerce(b: &mut Vec<u8>, o: &Order, r: &mut Rng) {
    let status = match o.outcome {
        Outcome::Paid if o.fulfilled_at.is_none() => "Awaiting Fulfillment", Outcome::Paid => "Completed",
        Outcome::Pending => "Pending", Outcome::Authorized => "Manual Verification Required", Outcome::PartiallyPaid => "Awaiting Payment",
        Outcome::PartRefunded => if o.number.is_multiple_of(2) { "Partially Refunded" } else { "Partially refunded" },
        Outcome::Refunded => "Refunded", Outcome::CancelVoid | Outcome::CancelRefund => "Cancelled",
        Outcome::Expired => "Declined", Outcome::Test => "Incomplete",
    };
    let dmy = |b: &mut Vec<u8>, t: i64| { let (y, m, d) = civil_from_days(t.div_euclid(86400)); let _ = write!(b, "{d:02}/{m:02}/{y},"); };
    let qty: i64 = o.lines.iter().map(|x| x.qty).sum();
    num(b, o.number); num(b, o.cust_id); cell(b, &o.email); dmy(b, o.created); cell(b, status);
    money(b, o.items + o.tax); money(b, o.items); money(b, o.tax); money(b, o.ship); money(b, o.ship);
    cell(b, o.ship_method); for _ in 0..4 { money(b, 0); } empties(b, 2);
    if o.disc > 0 {
        let _ = write!(b, "\"Coupon Code: {0}, Coupon Name: {0}, Coupon Value: {1}.{2:02}\",", o.code, o.disc / 100, o.disc % 100);
    } else { empties(b, 1); }
    money(b, o.total); money(b, o.total - o.tax); cell(b, o.pay);
    // Total Quantity disagrees with the sum of Product Qty now and then, as in real exports.
    num(b, (qty + if r.chance(0.1) { 1 + r.below(20) as i64 } else { 0 }) as u64);
    num(b, if o.fulfilled_at.is_some() { qty as u64 } else { 0 });
    if let Some(t) = o.fulfilled_at { dmy(b, t) } else { empties(b, 1) }
    cell(b, "USD"); cell(b, "1");
    cell(b, if o.outcome == Outcome::PartRefunded { "Refunded damaged item, \"per phone call\"" } else { "" });
    cell(b, o.note);
    let (city, st, _, _) = CITIES[o.city];
    for _ in 0..2 { // billing, then shipping, each with the store's custom form fields
        cell(b, &o.company); cell(b, city); cell(b, st); let _ = write!(b, "{:05},", o.zip); cell(b, "United States");
        cell(b, if o.phone.is_empty() { "Email" } else { "Text Message" }); empties(b, 2);
    }
    b.push(b'"'); // always quoted: it holds commas; a `"` in a name is doubled below
    for (i, x) in o.lines.iter().enumerate() {
        let (pname, sku, price, _, var) = PRODUCTS[x.p];
        if i > 0 { b.push(b'|'); }
        let _ = write!(b, "Product ID: {}, Product Qty: {}, Product SKU: {sku}, Product Name: {}, Product Weight: {}.0000, \
            Product Variation Details: {var}, Product Unit Price: {}.{:02}, Product Total Price: {}.{:02}",
            200 + x.p, x.qty, pname.replace('"', "\"\""), 1 + x.p % 7, price / 100, price % 100, x.qty * price / 100, x.qty * price % 100);
    }
    b.extend_from_slice(b"\",");
    money(b, o.refunded);
    end_row(b, true);
}

/// One row per order; line items as `name:Foo|product_id:12|sku:AB-1|quantity:2|total:19.98;...`.
fn woocommerce(b: &mut Vec<u8>, o: &Order) {
    let status = match o.outcome {
        Outcome::Paid | Outcome::Authorized if o.fulfilled_at.is_none() => "processing",
        Outcome::Paid | Outcome::Authorized | Outcome::PartRefunded => "completed", // Woo has no partial-refund status
        Outcome::Pending | Outcome::PartiallyPaid => "on-hold", Outcome::Refunded => "refunded",
        Outcome::CancelVoid | Outcome::CancelRefund => "cancelled", Outcome::Expired => "failed", Outcome::Test => "pending",
    };
    num(b, 24_000 + o.number * 3); num(b, o.number); stamp(b, Some(o.created), false); cell(b, status);
    money(b, o.ship); money(b, 0); money(b, 0); money(b, 0); money(b, o.tax); money(b, o.disc); money(b, 0); money(b, o.disc);
    money(b, o.total); money(b, o.refunded); cell(b, "USD");
    cell(b, match o.pay { "Cash" => "cod", "manual" => "bacs", "PayPal Express Checkout" => "paypal", _ => "stripe" });
    cell(b, match o.ship_method { "Local Pickup" => "Local pickup", "Free Shipping" => "Free shipping", _ => "Flat rate" });
    num(b, o.cust_id);
    let (first, last) = o.name.split_once(' ').unwrap_or(("", ""));
    let (city, st, _, _) = CITIES[o.city];
    let zip = format!("{:05}", o.zip);
    for billing in [true, false] {
        cell(b, first); cell(b, last); cell(b, &o.company);
        if billing { cell(b, &o.email); cell(b, &o.phone); }
        cell(b, &o.addr1); cell(b, &o.addr2); cell(b, &zip); cell(b, city); cell(b, st); cell(b, "US");
    }
    cell(b, o.note);
    let mut li = String::new();
    for (i, x) in o.lines.iter().enumerate() {
        let (pname, sku, price, _, _) = PRODUCTS[x.p];
        li.push_str(if i > 0 { ";name:" } else { "name:" });
        for ch in pname.chars() { if matches!(ch, ':' | '|' | ';' | '\\') { li.push('\\'); } li.push(ch); } // the plugin's escapes
        let t = x.qty * price - x.disc; // Woo line totals are after discounts
        let _ = write!(li, "|product_id:{}|sku:{sku}|quantity:{}|total:{}.{:02}", 200 + x.p, x.qty, t / 100, t % 100);
    }
    cell(b, &li);
    end_row(b, false);
}

const SHOPIFY_HEADER: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References\n";
const BIGCOMMERCE_HEADER: &str = "Order ID,Customer ID,Customer Email,Order Date,Order Status,Subtotal (inc tax),Subtotal (ex tax),Tax Total,Shipping Cost (inc tax),Shipping Cost (ex tax),Ship Method,Handling Cost (inc tax),Handling Cost (ex tax),Store Credit Redeemed,Gift Certificate Amount Redeemed,Gift Certificate Code,Gift Certificate Expiration Date,Coupon Details,Order Total (inc tax),Order Total (ex tax),Payment Method,Total Quantity,Total Shipped,Date Shipped,Order Currency Code,Exchange Rate,Order Notes,Customer Message,Billing Company,Billing Suburb,Billing State,Billing Zip,Billing Country,Billing Preferred method of contact,Billing How many adults over 18 live in your household?,Billing How many children under 18 live in your household?,Shipping Company,Shipping Suburb,Shipping State,Shipping Zip,Shipping Country,Shipping Preferred method of contact,Shipping How many adults over 18 live in your household?,Shipping How many children under 18 live in your household?,Product Details,Refund Amount\r\n";
const WOOCOMMERCE_HEADER: &str = "order_id,order_number,date,status,shipping_total,shipping_tax_total,fee_total,fee_tax_total,tax_total,cart_discount,order_discount,discount_total,order_total,refunded_total,order_currency,payment_method,shipping_method,customer_id,billing_first_name,billing_last_name,billing_company,billing_email,billing_phone,billing_address_1,billing_address_2,billing_postcode,billing_city,billing_state,billing_country,shipping_first_name,shipping_last_name,shipping_company,shipping_address_1,shipping_address_2,shipping_postcode,shipping_city,shipping_state,shipping_country,customer_note,line_items\n";

fn die(msg: &str) -> ! { eprintln!("gen_orders: {msg}\n{USAGE}"); std::process::exit(2) }
/// Write errors end the run; a closed pipe (`| head`) ends it quietly.
fn io_fail(e: std::io::Error) -> ! {
    if e.kind() != std::io::ErrorKind::BrokenPipe { eprintln!("gen_orders: {e}"); }
    std::process::exit(1)
}

fn main() {
    let (mut orders, mut format, mut seed, mut end, mut out, mut newest) = (None, "shopify".to_string(), 42u64, "2026-11-01".to_string(), None, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| die(&format!("{a} needs a value")));
        match a.as_str() {
            "--orders" => orders = Some(val().parse::<u64>().unwrap_or_else(|_| die("--orders must be a whole number"))),
            "--format" => format = val(),
            "--seed" => seed = val().parse().unwrap_or_else(|_| die("--seed must be a whole number")),
            "--end-date" => end = val(),
            "--out" => out = Some(val()),
            "--newest-first" => newest = true,
            "-h" | "--help" => { println!("{USAGE}"); return; }
            _ => die(&format!("unknown argument {a}")),
        }
    }
    let n = orders.unwrap_or_else(|| die("--orders is required"));
    let ymd: Vec<u32> = end.split('-').map(|p| p.parse().unwrap_or_else(|_| die("--end-date must be YYYY-MM-DD"))).collect();
    if ymd.len() != 3 || !(1..=12).contains(&ymd[1]) || !(1..=31).contains(&ymd[2]) { die("--end-date must be YYYY-MM-DD"); }
    let start = days_from_civil(ymd[0] as i64, ymd[1], ymd[2]) - SPAN_DAYS; // first day of history
    let header = match format.as_str() {
        "shopify" => SHOPIFY_HEADER, "bigcommerce" => BIGCOMMERCE_HEADER, "woocommerce" => WOOCOMMERCE_HEADER,
        _ => die("--format must be shopify, bigcommerce or woocommerce"),
    };
    let t0 = std::time::Instant::now();

    // 1. Who: every customer orders once; the rest of the orders go by Pareto weight.
    //    About 5% of orders are guests with no e-mail and belong to nobody.
    let guests = n / 20;
    let ncust = ((n as f64 / 2.5).ceil() as u64).min(n - guests);
    let mut cum = Vec::with_capacity(ncust as usize);
    let mut acc = 0.0;
    for c in 0..ncust { acc += customer(&mut Rng::new(seed, c, 1)).weight; cum.push(acc); }
    let mut count = vec![1u32; ncust as usize];
    let mut r = Rng::new(seed, 0, 2);
    for _ in 0..(n - guests).saturating_sub(ncust) {
        let x = r.unit() * acc;
        let i = if acc > 0.0 { cum.partition_point(|&w| w <= x) } else { r.index(ncust as usize) };
        count[i.min(ncust as usize - 1)] += 1;
    }
    drop(cum);
    // 2. When: inside each customer's active window, mostly in the daytime. A lapsed
    //    customer's first draw is pinned to their last day so the lapse is exact.
    let at = |r: &mut Rng, day: i64| {
        let tod = if r.chance(0.85) { 7 * 3600 + r.below(16 * 3600) } else { r.below(86400) };
        (skip_gap((start + day) * 86400 + tod as i64) - start * 86400) as u32
    };
    let mut when: Vec<(u32, u32)> = Vec::with_capacity(n as usize); // (seconds from start, customer)
    for c in 0..ncust {
        let cu = customer(&mut Rng::new(seed, c, 1));
        let mut r = Rng::new(seed, c, 3);
        for j in 0..count[c as usize] {
            let pinned = j == 0 && cu.kind == Kind::Lapsed;
            let day = if pinned { cu.last_day } else { cu.first_day + r.below((cu.last_day - cu.first_day + 1) as u64) as i64 };
            when.push((at(&mut r, day), c as u32));
        }
    }
    for _ in 0..guests { let day = r.below(SPAN_DAYS as u64) as i64; when.push((at(&mut r, day), u32::MAX)); }
    when.sort_unstable(); // order names ascend with time

    // 3. Write. Order k is #(1001+k) and draws from its own stream, so --newest-first only reverses.
    let sink: Box<dyn Write> = match &out {
        Some(p) => Box::new(std::fs::File::create(p).unwrap_or_else(|e| { eprintln!("gen_orders: {p}: {e}"); std::process::exit(1) })),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 20, sink);
    let mut b: Vec<u8> = Vec::with_capacity(1 << 21);
    b.extend_from_slice(header.as_bytes());
    let (mut o, end_t, mut rows) = (Order::default(), (start + SPAN_DAYS) * 86400, 0u64);
    for i in 0..n as usize {
        let k = if newest { n as usize - 1 - i } else { i };
        let (t, c) = when[k];
        let mut r = Rng::new(seed, k as u64, 4);
        (o.number, o.created) = (1001 + k as u64, start * 86400 + t as i64);
        let cust = (c != u32::MAX).then(|| (c as u64, customer(&mut Rng::new(seed, c as u64, 1))));
        build(&mut o, &mut r, cust, end_t);
        match format.as_str() {
            "shopify" => { shopify(&mut b, &o); rows += o.lines.len() as u64; }
            "bigcommerce" => { bigcommerce(&mut b, &o, &mut r); rows += 1; }
            _ => { woocommerce(&mut b, &o); rows += 1; }
        }
        if b.len() > 1 << 20 { w.write_all(&b).unwrap_or_else(|e| io_fail(e)); b.clear(); }
    }
    w.write_all(&b).and_then(|_| w.flush()).unwrap_or_else(|e| io_fail(e));
    eprintln!("gen_orders: {n} {format} orders, {ncust} customers, {rows} data rows in {:.2?}", t0.elapsed());
}
