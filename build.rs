// sqlx::migrate! embeds migrations/ at compile time; without this a new .sql
// file would not be picked up until something else forced a rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
