//! `mailroom forms`: every unit's overview form (工作开展情况表) side by
//! side, read back with calamine, for forms sent as xlsx and xls (the
//! corpus samples) and docx and doc (tests/data/doc); and the 组织部
//! digest after the deadline carrying it. Through `mailroom ingest`: no
//! mail server, fixed times.

mod common;

use base64::Engine as _;
use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn fixture(rel: &str) -> Vec<u8> {
    let path = repo().join("tests/data").join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A message from 石排镇团委's registered address with one attached form.
fn shipai_form(id: &str, name: &str, bytes: &[u8]) -> Vec<u8> {
    let w = format!("=?UTF-8?B?{}?=", b64(name.as_bytes()));
    format!(
        "From: dgshipaitw@126.com\r\nTo: tswzzb3@126.com\r\nSubject: {w}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 22 Jan 2018 10:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n见附件\r\n\
         --b\r\nContent-Type: application/octet-stream; name=\"{w}\"\r\n\
         Content-Disposition: attachment; filename=\"{w}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
        b64(bytes)
    )
    .into_bytes()
}

fn ingest(app: &TestApp, name: &str, raw: &[u8], at: &str) {
    let path = app.dir.path().join(name);
    std::fs::write(&path, raw).expect("write eml");
    let p = path.to_str().expect("utf-8 path");
    let out = app.run(&[
        "ingest",
        "--department",
        "org",
        "--received-at",
        at,
        "--no-receipts",
        p,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The summary sheet's rows: unit name → (five project texts, file, time).
type Summary = Vec<(String, Vec<String>, String, String)>;

fn read_summary(path: &std::path::Path) -> (Summary, Vec<String>) {
    let mut wb: Xlsx<_> = open_workbook(path).expect("the summary reads back");
    let text = |d: Option<&Data>| match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let s = wb.worksheet_range("工作开展情况表汇总").expect("summary");
    let head: Vec<String> = s
        .rows()
        .nth(2)
        .expect("header")
        .iter()
        .map(|c| text(Some(c)))
        .collect();
    assert_eq!(
        head,
        [
            "序号",
            "单位",
            "（一）青少年思想引领及青年人才工作",
            "（二）推进和落实共青团深化改革工作",
            "（三）“网上共青团”建设工作",
            "（四）团干部直接联系青年工作",
            "（五）服务大局、服务青年重点工作项目",
            "报送文件",
            "收到时间"
        ]
    );
    let rows = s
        .rows()
        .skip(3)
        .map(|r| {
            (
                text(r.get(1)),
                (2..7).map(|j| text(r.get(j))).collect(),
                text(r.get(7)),
                text(r.get(8)),
            )
        })
        .collect();
    let m = wb
        .worksheet_range("未报送工作开展情况表的单位")
        .expect("missing sheet");
    let missing = m.rows().skip(3).map(|r| text(r.get(1))).collect();
    (rows, missing)
}

fn row<'a>(s: &'a Summary, unit: &str) -> &'a (String, Vec<String>, String, String) {
    s.iter()
        .find(|r| r.0 == unit)
        .unwrap_or_else(|| panic!("{unit} not in {s:?}"))
}

fn forms(app: &TestApp) -> (Summary, Vec<String>) {
    let out_path = app.dir.path().join("工作开展情况表汇总.xlsx");
    let out = app.run(&[
        "forms",
        "--now",
        "2018-01-29T08:00:00+08:00",
        "--out",
        out_path.to_str().expect("utf-8 path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    read_summary(&out_path)
}

const NANCHENG_1: &str = "深入学习宣传贯彻党的十九大精神，组织开展“青春心向党·建功新时代”主题团日活动42场，覆盖团员青年11709人次；开展“我的中国梦”“四进四信”主题教育活动22场；推进“青网计划”，组建网络文明志愿者队伍96人；积极开展“最美南粤少年”推荐评选，新创建市级以上青年文明号3个，推荐参加“展翅计划”大学生87名。";
const NSH_5: &str = "推广“i志愿”系统，新增注册志愿者5115人，开展志愿服务活动328场；举办青年创新创业沙龙及技能培训7场；实施“圆梦计划”，资助外来务工青年91名；开展青少年禁毒、法治宣传教育活动7场。";
const SHIPAI_1: &str = "组织学习十九大精神宣讲12场。\n覆盖团员青年1500人次。";
const SHIPAI_3: &str = "智慧团建系统录入完成，团员信息完整率98%。";

/// xlsx (南城), xls (农商银行) and docx (石排) forms; then a .doc from
/// 石排 that arrived later, and a .wps that arrived between the two but
/// was ingested last: the latest by arrival is the unit's form.
fn ingest_forms(app: &TestApp) {
    ingest(
        app,
        "003.eml",
        &fixture("corpus/003-nancheng-overview-form.eml"),
        "2018-01-24T09:41:29+08:00",
    );
    ingest(
        app,
        "037.eml",
        &fixture("corpus/037-nsh-xls-form.eml"),
        "2018-01-19T15:03:31+08:00",
    );
    ingest(
        app,
        "docx.eml",
        &shipai_form(
            "docx@forms.test",
            "石排镇工作开展情况表.docx",
            &fixture("doc/form.docx"),
        ),
        "2018-01-20T10:00:00+08:00",
    );
}

#[test]
fn the_forms_summary_has_units_and_project_texts_as_written_for_xlsx_xls_docx_and_doc() {
    let app = TestApp::new("forms-summary");
    ingest_forms(&app);
    let (s, missing) = forms(&app);
    // Every unit of the registry, in its order.
    let units = std::fs::read_to_string(repo().join("config/units.toml")).expect("units");
    let registry: Vec<String> = units
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|n| n.trim_end_matches('"').to_owned())
        .collect();
    assert_eq!(s.iter().map(|r| r.0.clone()).collect::<Vec<_>>(), registry);

    let nancheng = row(&s, "南城街道团工委");
    assert_eq!(nancheng.1[0], NANCHENG_1, "xlsx");
    assert!(nancheng.1.iter().all(|t| !t.is_empty()), "{nancheng:?}");
    assert_eq!(nancheng.2, "南城街道团工委2017年度工作开展情况表.xlsx");
    assert_eq!(nancheng.3, "2018年1月24日 9:41");
    let nsh = row(&s, "东莞农村商业银行团委");
    assert_eq!(nsh.1[4], NSH_5, "xls");
    assert!(nsh.1.iter().all(|t| !t.is_empty()), "{nsh:?}");
    assert_eq!(nsh.2, "东莞农商银行团委2017年度工作开展情况表.xls");
    let shipai = row(&s, "石排镇团委");
    assert_eq!(shipai.1, [SHIPAI_1, "", SHIPAI_3, "", ""], "docx");
    assert_eq!(shipai.2, "石排镇工作开展情况表.docx");
    // Units without a form: empty, marked, and listed on the second sheet.
    let guancheng = row(&s, "莞城街道团工委");
    assert!(guancheng.1.iter().all(String::is_empty));
    assert_eq!(guancheng.2, "未报送");
    assert!(missing.iter().any(|u| u == "莞城街道团工委"));
    for sent in ["南城街道团工委", "东莞农村商业银行团委", "石排镇团委"] {
        assert!(!missing.iter().any(|u| u == sent), "{sent} sent its form");
    }

    ingest(
        &app,
        "doc.eml",
        &shipai_form(
            "doc@forms.test",
            "石排镇工作开展情况表（修改）.doc",
            &fixture("doc/form.doc"),
        ),
        "2018-01-22T10:00:00+08:00",
    );
    ingest(
        &app,
        "wps.eml",
        &shipai_form(
            "wps@forms.test",
            "石排镇工作开展情况表.wps",
            &fixture("doc/form.wps"),
        ),
        "2018-01-21T10:00:00+08:00",
    );
    let (s, _) = forms(&app);
    let shipai = row(&s, "石排镇团委");
    assert_eq!(shipai.1, [SHIPAI_1, "", SHIPAI_3, "", ""], "doc");
    assert_eq!(shipai.2, "石排镇工作开展情况表（修改）.doc");
    assert_eq!(shipai.3, "2018年1月22日 10:00");
}

#[test]
fn the_org_digest_after_the_deadline_carries_the_forms_summary() {
    let app = TestApp::with_schedules("forms-digest");
    ingest_forms(&app);
    let digest = |dept: &str, now: &str| {
        let dir = app.dir.path().join(format!("{dept}-{}", &now[..10]));
        std::fs::create_dir_all(&dir).expect("dir");
        let out = app.run(&[
            "digest",
            "--department",
            dept,
            "--preview",
            "--now",
            now,
            "--attachments-to",
            dir.to_str().expect("utf-8 path"),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir.join("工作开展情况表汇总.xlsx")
    };
    let before = digest("org", "2018-01-25T08:00:00+08:00");
    assert!(!before.exists(), "not before the deadline");
    let other = digest("publicity", "2018-01-29T08:00:00+08:00");
    assert!(!other.exists(), "only 组织部 collates");
    let after = digest("org", "2018-01-29T08:00:00+08:00");
    let (s, missing) = read_summary(&after);
    assert_eq!(row(&s, "南城街道团工委").1[0], NANCHENG_1);
    assert_eq!(row(&s, "石排镇团委").1[2], SHIPAI_3);
    assert!(missing.iter().any(|u| u == "莞城街道团工委"));
}
