//! The course's words around the lessons' own text (which is en + zh in the lesson files):
//! the lesson panel, the home screen, and what a knob change did.

/// `(key, English, Chinese)`, sorted by key (byte order).
#[rustfmt::skip]
pub(super) static TEXTS: &[(&str, &str, &str)] = &[
    ("apply.live", "{name} = {value} from {t}", "{t} 起 {name} = {value}"),
    ("apply.producer_restarted", "{name} = {value} at {t}: Kafka reads it only at start-up, so the producer restarts", "{t} 设置 {name} = {value}：Kafka 只在启动时读取它，生产者重启"),
    ("apply.step_restarts", "{name} = {value}: the step restarts with it, so the goals measure it from the start", "{name} = {value}：本步从头重新运行，目标按新设置衡量"),
    ("course.answer_with_number", "answer with its number", "按数字键作答"),
    ("course.goals", "Goals", "目标"),
    ("course.hint", "Hint {n}: ", "提示 {n}："),
    ("course.home_title", "Lessons · ↑/↓ pick · Enter open · Esc close", "课程 · ↑/↓ 选择 · Enter 打开 · Esc 关闭"),
    ("course.keys", "h hint · n next · p previous · L lessons · knobs: {knobs}", "h 提示 · n 下一步 · p 上一步 · L 课程列表 · 可调：{knobs}"),
    ("course.lesson_complete", "Lesson complete.", "本课完成。"),
    ("course.predict_first", "Predict first", "先预测"),
    ("course.sandbox", "Sandbox: the built-in scenario, every knob", "沙盒：内置场景，所有参数都可调"),
    ("course.scenarios_title", "Scenarios · the notes' demos", "场景 · 笔记里的演示"),
    ("course.simulation_says_so", "✓ the simulation says so", "✓ 仿真结果"),
    ("course.step", "Step {n}/{total}", "第 {n}/{total} 步"),
    ("course.step_done", "Done! n: next step", "完成！按 n 进入下一步"),
    ("course.your_answer", "← your answer", "← 你的答案"),
];
