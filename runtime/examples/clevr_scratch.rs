fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (idx, w, h): (usize, u32, u32) = (a[1].parse().unwrap(), a[2].parse().unwrap(), a[3].parse().unwrap());
    let r = ijepa_runtime::clevr::render::render_scene(11, "val", idx, w, h).unwrap();
    r.image.save("/tmp/scratch.png").unwrap();
}
