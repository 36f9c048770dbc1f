/*
 * Kernel threads (include/kernel/sched.h): creation on a vmalloc'ed stack,
 * binding, stop, exit and join; the task list; the stack-overflow report.
 *
 * A thread's stack is a KTHREAD_STACK_SIZE vmalloc area. vmalloc puts an
 * unmapped guard page after every area, and hands out the lowest free range
 * that fits, so the page just below a new stack is either the guard page of
 * the area below it or free (unmapped) space. kthread_create() checks that
 * it is unmapped; only an area made later with VM_NO_GUARD could end right
 * below the stack and map it (nothing in the kernel asks for that):
 *
 *	 lower addresses                                         higher
 *	 ... area below | its guard | stack (16 KiB) ... top | guard | ...
 *	                  ^ an overflow faults here, the #PF cannot push its
 *	                    frame, and the double fault (own IST stack) reports it
 *
 * The joiner frees the stack: the exiting thread still runs on it until
 * the switch away from it is done (finish_task_switch() says so).
 */
#include "kernel/sched.h"

#include "asm/irqflags.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched/internal.h"
#include "kernel/workqueue.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

extern char boot_stack[], boot_stack_top[];

LIST_HEAD(task_list);
DEFINE_SPINLOCK(tasks_lock);
static int last_pid; /* [T] */

struct task_struct init_task = {
	.pid = 1,
	.flags = PF_INIT,
	.comm = "init",
	.state = TASK_RUNNING,
	.run_list = LIST_HEAD_INIT(init_task.run_list),
	.sleep_list = LIST_HEAD_INIT(init_task.sleep_list),
	.exit_wait = WAIT_QUEUE_HEAD_INIT(init_task.exit_wait),
};

int sched_new_pid(void)
{
	int pid;

	spin_lock(&tasks_lock);
	if (last_pid < 1)
		last_pid = 1; /* init's */
	pid = ++last_pid;
	spin_unlock(&tasks_lock);
	return pid;
}

void task_list_add(struct task_struct *p)
{
	if (p == &init_task) {
		init_task.stack = (unsigned long)boot_stack;
		init_task.stack_end = (unsigned long)boot_stack_top;
	}
	spin_lock(&tasks_lock);
	list_add_tail(&p->tasks, &task_list);
	spin_unlock(&tasks_lock);
}

static void task_list_del(struct task_struct *p)
{
	spin_lock(&tasks_lock);
	list_del(&p->tasks);
	spin_unlock(&tasks_lock);
}

/* A task struct with its lists empty, its name from @fmt; NULL without memory. */
static struct task_struct *task_alloc(const char *fmt, va_list args)
{
	struct task_struct *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	vsnprintf(p->comm, sizeof(p->comm), fmt, args);
	INIT_LIST_HEAD(&p->run_list);
	INIT_LIST_HEAD(&p->sleep_list);
	init_waitqueue_head(&p->exit_wait, "exit_wait");
	p->state = TASK_NEW;
	return p;
}

/*
 * A vmalloc'ed stack whose first switch returns to kthread_start_asm, with
 * zeroed callee-saved registers (the layout switch.asm pops). 0 without memory.
 */
static int task_stack_alloc(struct task_struct *p, const void *caller)
{
	void *stack = __vmalloc_node(KTHREAD_STACK_SIZE, 1, GFP_KERNEL, -1, caller);
	unsigned long *sp;

	if (!stack)
		return -ENOMEM;
	p->flags |= PF_VMAP_STACK;
	p->stack = (unsigned long)stack;
	p->stack_end = p->stack + KTHREAD_STACK_SIZE;
	WARN(vmalloc_to_page((char *)stack - PAGE_SIZE),
	     "kthread_create: the page below the stack of '%s' at %p is mapped", p->comm, stack);
	sp = (unsigned long *)p->stack_end;
	*--sp = 0;				  /* no return address: backtraces end */
	*--sp = (unsigned long)kthread_start_asm; /* switch.asm's ret */
	for (int i = 0; i < 6; i++)
		*--sp = 0; /* rbp rbx r12 r13 r14 r15 */
	p->rsp = (unsigned long)sp;
	return 0;
}

static struct task_struct *__kthread_create(int (*fn)(void *), void *arg, const void *caller,
					    const char *fmt, va_list args)
{
	struct task_struct *p = task_alloc(fmt, args);

	if (!p)
		return NULL;
	if (task_stack_alloc(p, caller)) {
		kfree(p);
		return NULL;
	}
	p->fn = fn;
	p->arg = arg;
	p->creator = caller;
	p->cpu = current ? smp_processor_id() : 0;
	p->pid = sched_new_pid();
	task_list_add(p);
	return p;
}

struct task_struct *kthread_create(int (*fn)(void *arg), void *arg, const char *namefmt, ...)
{
	struct task_struct *p;
	va_list args;

	va_start(args, namefmt);
	p = __kthread_create(fn, arg, __builtin_return_address(0), namefmt, args);
	va_end(args);
	return p;
}

static struct task_struct *kthread_create_fmt(int (*fn)(void *), void *arg, const void *caller,
					      const char *fmt, ...)
{
	struct task_struct *p;
	va_list args;

	va_start(args, fmt);
	p = __kthread_create(fn, arg, caller, fmt, args);
	va_end(args);
	return p;
}

void __noreturn kthread_entry(struct task_struct *prev)
{
	struct task_struct *self = current;
	int ret;

	finish_task_switch(prev);
	local_irq_enable();
	ret = READ_ONCE(self->should_stop) ? -EINTR : self->fn(self->arg);
	kthread_exit(ret);
}

void __noreturn kthread_exit(int code)
{
	struct task_struct *p = current;
	struct rq *rq = task_rq(p);

	if (p->flags & (PF_IDLE | PF_INIT))
		panic("kthread_exit: '%s' (pid %d) may not exit", p->comm, p->pid);
	p->exit_code = code;
	local_irq_disable();
	spin_lock(&rq->lock);
	WRITE_ONCE(p->state, TASK_DEAD);
	spin_unlock(&rq->lock);
	__schedule(false);
	panic("kthread_exit: dead thread '%s' ran again", p->comm);
}

int kthread_bind(struct task_struct *p, unsigned int cpu)
{
	if (READ_ONCE(p->state) != TASK_NEW || !cpu_online(cpu) || !cpu_rq(cpu)->ready) {
		pr_err("kthread_bind: cannot bind '%s' (pid %d) to CPU %u: %s\n", p->comm, p->pid,
		       cpu, READ_ONCE(p->state) != TASK_NEW ? "it has started" : "CPU not running");
		return -EINVAL;
	}
	p->cpu = cpu;
	p->flags |= PF_BOUND;
	return 0;
}

bool kthread_should_stop(void)
{
	return READ_ONCE(current->should_stop);
}

int kthread_join(struct task_struct *p)
{
	int code;

	if (p == current || (p->flags & (PF_IDLE | PF_INIT)) || READ_ONCE(p->state) == TASK_NEW) {
		pr_err("kthread_join: '%s' (pid %d) %s\n", p->comm, p->pid,
		       p == current ? "is the caller"
				    : "cannot end (never started, or a CPU's own)");
		return -EINVAL;
	}
	wait_event(p->exit_wait, READ_ONCE(p->exited));
	/* finish_task_switch() is out of exit_wait's critical section once we get the lock. */
	spin_lock(&p->exit_wait.lock);
	spin_unlock(&p->exit_wait.lock);
	code = p->exit_code;
	task_list_del(p);
	vfree((void *)p->stack);
	kfree(p);
	return code;
}

int kthread_stop(struct task_struct *p)
{
	WRITE_ONCE(p->should_stop, true);
	smp_mb();
	wake_up_process(p);
	return kthread_join(p);
}

/* ---- idle threads ---- */

static int idle_thread_fn(void *arg)
{
	cpu_idle_loop();
}

struct task_struct *idle_task_create(unsigned int cpu)
{
	struct task_struct *p = kthread_create_fmt(idle_thread_fn, NULL,
						   __builtin_return_address(0), "idle/%u", cpu);

	if (!p)
		return NULL;
	p->flags |= PF_IDLE;
	p->cpu = cpu;
	p->state = TASK_RUNNING; /* runs whenever picked, never queued */
	return p;
}

void sched_init_this_cpu(void)
{
	unsigned int cpu = smp_processor_id();
	unsigned long sp = (unsigned long)__builtin_frame_address(0);
	struct task_struct *p = kzalloc(sizeof(*p), GFP_KERNEL);
	struct vm_struct *area = find_vm_area((void *)sp);
	struct rq *rq = cpu_rq(cpu);

	if (!p)
		panic("sched_init_this_cpu: no memory for CPU %u's idle thread", cpu);
	snprintf(p->comm, sizeof(p->comm), "idle/%u", cpu);
	INIT_LIST_HEAD(&p->run_list);
	INIT_LIST_HEAD(&p->sleep_list);
	init_waitqueue_head(&p->exit_wait, "exit_wait");
	p->flags = PF_IDLE;
	p->state = TASK_RUNNING;
	p->cpu = cpu;
	p->pid = sched_new_pid();
	if (area) { /* the AP's boot stack, when it is a vmalloc area */
		p->stack = (unsigned long)area->addr;
		p->stack_end = p->stack + get_vm_area_size(area);
	}
	rq_init(rq, cpu);
	rq->curr = rq->idle = p;
	this_cpu_write(current_task, p);
	task_list_add(p);
	smp_store_release(&rq->ready, true);
	workqueue_init_cpu(cpu);
}

/* ---- for the exception path and the tools ---- */

bool in_boot_thread(void)
{
	struct task_struct *p = current;

	return !p || p == &init_task;
}

bool on_current_stack(unsigned long addr)
{
	struct task_struct *p = current;

	return p && p->stack && addr >= p->stack && addr + 16 <= p->stack_end;
}

static bool in_guard_below(const struct task_struct *p, unsigned long addr)
{
	return addr < p->stack && addr + PAGE_SIZE >= p->stack;
}

bool sched_report_stack_overflow(unsigned long rsp, unsigned long cr2)
{
	struct task_struct *p = current;
	unsigned long hit;

	if (!p || !(p->flags & PF_VMAP_STACK))
		return false;
	if (!in_guard_below(p, rsp) && !in_guard_below(p, cr2))
		return false;
	hit = in_guard_below(p, cr2) ? cr2 : rsp;
	printk(KERN_EMERG "BUG: kernel stack overflow in thread '%s' (pid %d) on CPU %u: stack "
			  "%#lx-%#lx, guard hit at %#lx (rsp %#lx)\n",
	       p->comm, p->pid, smp_processor_id(), p->stack, p->stack_end, hit, rsp);
	return true;
}

static char task_state_char(const struct task_struct *p)
{
	switch (READ_ONCE(p->state)) {
	case TASK_RUNNING:
		if (task_rq(p)->curr == p)
			return 'R';
		return (p->flags & PF_IDLE) ? 'I' : 'r';
	case TASK_INTERRUPTIBLE:
		return 'S';
	case TASK_UNINTERRUPTIBLE:
		return 'D';
	case TASK_NEW:
		return 'N';
	default:
		return 'X';
	}
}

unsigned int sched_task_snapshot(struct task_info *out, unsigned int max)
{
	struct task_struct *p;
	unsigned int n = 0;

	spin_lock(&tasks_lock);
	list_for_each_entry(p, &task_list, tasks) {
		if (n < max) {
			struct task_info *ti = &out[n];

			ti->pid = p->pid;
			memcpy(ti->comm, p->comm, sizeof(ti->comm));
			ti->state = task_state_char(p);
			ti->cpu = p->cpu;
			ti->stack = p->stack;
			ti->stack_end = p->stack_end;
			ti->nr_switches = READ_ONCE(p->nr_switches);
		}
		n++;
	}
	spin_unlock(&tasks_lock);
	return n;
}
