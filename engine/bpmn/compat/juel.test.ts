import { evaluate } from 'feelin';
import { describe, expect, it } from 'vitest';
import { evaluateExpression } from '../../expressions/feel';
import { isJuel, juelToFeel } from './juel';

function feelOf(juel: string): string {
  const result = juelToFeel(juel);
  if (!result.ok) throw new Error(`"${juel}" was refused: ${result.reason}`);
  return result.feel;
}

describe('JUEL → FEEL text', () => {
  it.each([
    // what Camunda 7 and Flowable models carry (backoffice corpus and the usual idioms)
    ['${approved}', 'approved'],
    ['${!approved}', 'not(approved)'],
    ['${not approved}', 'not(approved)'],
    ['#{clarified}', 'clarified'],
    ['${amount > 1000}', 'amount > 1000'],
    ['${amount ge 100}', 'amount >= 100'],
    // a variable named content is read as one; only bpmn-engine's content.output / content.input are refused
    ['${content.subject}', 'content.subject'],
    ['${score <= 5}', 'score <= 5'],
    ['${a lt b}', 'a < b'],
    ['${a gt b}', 'a > b'],
    ['${a le b}', 'a <= b'],
    ['${a && b}', 'a and b'],
    ['${a and b}', 'a and b'],
    ['${a || b}', 'a or b'],
    ['${a or b}', 'a or b'],
    ['${a eq b}', 'a = b'],
    ['${a ne b}', 'a != b'],
    ["${x == 'Travel'}", 'x = "Travel"'],
    ["${invoiceCategory != 'Misc'}", 'invoiceCategory != "Misc"'],
    ["${form_loanreview_outcome == 'Accept'}", 'form_loanreview_outcome = "Accept"'],
    ['${form_loanreview_outcome == "Reject"}', 'form_loanreview_outcome = "Reject"'],
    ['${invoiceId != null}', 'invoiceId != null'],
    ['${approverGroups}', 'approverGroups'],
    ['${reviewer}', 'reviewer'],
    ['${true}', 'true'],
    ["${name == 'Nguyễn Văn An'}", 'name = "Nguyễn Văn An"'],
    ["${cond ? 'a' : 'b'}", 'if cond then "a" else "b"'],
    ["${gender == 'male' ? 'Mr.' : 'Mrs.'}", 'if gender = "male" then "Mr." else "Mrs."'],
    ['${a ? b : c ? d : e}', 'if a then b else if c then d else e'],
    ['${a ? b ? 1 : 2 : 3}', 'if a then (if b then 1 else 2) else 3'],
    ['${(a ? 1 : 2) + 1}', '(if a then 1 else 2) + 1'],
    ['${order.total * 2}', 'order.total * 2'],
    [
      '${empty x}',
      'if x instance of list then count(x) = 0 else if x instance of string then x = "" else if x instance of context then x = {} else x = null',
    ],
    [
      '${not empty x}',
      'not(if x instance of list then count(x) = 0 else if x instance of string then x = "" else if x instance of context then x = {} else x = null)',
    ],
    // operators and precedence
    ['${a div b}', 'a / b'],
    ['${a % b}', 'modulo(a, b)'],
    ['${a mod b}', 'modulo(a, b)'],
    ['${a-b}', 'a - b'],
    ['${a - (b - c)}', 'a - (b - c)'],
    ['${(a - b) - c}', 'a - b - c'],
    ['${a * (b + c)}', 'a * (b + c)'],
    ['${-x}', '-x'],
    ['${- -x}', '-(-x)'],
    ['${-(a + b)}', '-(a + b)'],
    ['${x > -5}', 'x > -5'],
    ['${a - -b}', 'a - (-b)'],
    ['${a < b == c}', '(a < b) = c'],
    ['${a || b && c}', 'a or (b and c)'],
    ['${(a || b) && c}', '(a or b) and c'],
    ['${!(a && b)}', 'not(a and b)'],
    // literals
    ['${1e3}', '1000'],
    ['${1.5E-2}', '0.015'],
    ['${.5}', '0.5'],
    ['${007}', '7'],
    ["${'it\\'s'}", '"it\'s"'],
    ['${"say \\"hi\\""}', '"say \\"hi\\""'],
    ["${'a\nb'}", '"a\\nb"'],
    // paths and indexes: EL lists count from 0, FEEL lists from 1
    ['${a[0]}', 'a[1]'],
    ['${a[0].b[2].c}', 'a[1].b[3].c'],
    ["${a['k']}", 'a.k'],
    ['${item}', 'item'],
    ['${tên > 1}', 'tên > 1'],
    // Camunda's loopCounter counts from 0, Trellis' from 1
    ['${a[loopCounter]}', 'a[loopCounter]'],
    ['${loopCounter == 0}', 'loopCounter - 1 = 0'],
    // text templates; a null piece reads as "" as in EL
    ['Hello ${name}', 'string join(["Hello ", string(name)])'],
    ['${first} ${last}', 'string join([string(first), " ", string(last)])'],
    ['\\${x} stays', '"${x} stays"'],
    ['  ${approved}\n', 'approved'],
  ])('%s → %s', (juel, feel) => {
    expect(juelToFeel(juel)).toEqual({ ok: true, feel });
  });
});

describe('JUEL → FEEL meaning', () => {
  // The value each EL expression has in JUEL for the variables, computed by hand.
  it.each<[string, Record<string, unknown>, unknown]>([
    ['${!approved}', { approved: false }, true],
    ['${!approved}', { approved: true }, false],
    ['${not approved}', { approved: false }, true],
    ['${approved}', { approved: true }, true],
    ['#{clarified}', { clarified: false }, false],
    ['${amount > 1000}', { amount: 999 }, false],
    ['${amount > 1000}', { amount: 1001 }, true],
    ['${amount > 1000}', { amount: 1000 }, false],
    ['${amount ge 100}', { amount: 100 }, true],
    ['${amount ge 100}', { amount: 99.5 }, false],
    ["${x == 'Travel'}", { x: 'Travel' }, true],
    ["${x == 'Travel'}", { x: 'Misc' }, false],
    ["${x == 'Travel'}", { x: null }, false],
    ["${invoiceCategory != 'Misc'}", { invoiceCategory: 'Misc' }, false],
    ["${invoiceCategory != 'Misc'}", { invoiceCategory: 'Travel' }, true],
    ["${invoiceCategory != 'Misc'}", { invoiceCategory: null }, true],
    ["${name == 'Nguyễn Văn An'}", { name: 'Nguyễn Văn An' }, true],
    ["${name == 'Nguyễn Văn An'}", { name: 'Nguyen Van An' }, false],
    ["${name != 'Trần Thị Bích'}", { name: 'Trần Thị Bích' }, false],
    ['${a && b}', { a: true, b: true }, true],
    ['${a && b}', { a: true, b: false }, false],
    ['${a && b}', { a: false, b: null }, false],
    ['${a || b}', { a: false, b: false }, false],
    ['${a || b}', { a: false, b: true }, true],
    ['${a || b && c}', { a: false, b: true, c: false }, false],
    ['${!(a && b)}', { a: true, b: false }, true],
    ['${invoiceId != null}', { invoiceId: 'INV-1' }, true],
    ['${invoiceId != null}', { invoiceId: null }, false],
    ["${cond ? 'a' : 'b'}", { cond: true }, 'a'],
    ["${cond ? 'a' : 'b'}", { cond: false }, 'b'],
    ["${cond ? 'a' : 'b'}", { cond: null }, 'b'],
    ['${a ? b ? 1 : 2 : 3}', { a: true, b: false }, 2],
    ['${order.total * 2}', { order: { total: 21 } }, 42],
    ['${order.customer.name}', { order: { customer: { name: 'Lan' } } }, 'Lan'],
    ['${order.customer.name}', { order: { customer: null } }, null],
    ['${a[0]}', { a: ['x', 'y'] }, 'x'],
    ['${a[1]}', { a: ['x', 'y'] }, 'y'],
    ['${a[5]}', { a: ['x', 'y'] }, null],
    ['${a[0].b}', { a: [{ b: 'first' }, { b: 'second' }] }, 'first'],
    ["${a['k']}", { a: { k: 1 } }, 1],
    ['${a % b}', { a: 7, b: 3 }, 1],
    ['${a mod b}', { a: 7.5, b: 2 }, 1.5],
    ['${10 div 4}', {}, 2.5],
    ['${7 / 2}', {}, 3.5],
    ['${-x}', { x: 5 }, -5],
    ['${- -x}', { x: 5 }, 5],
    ['${5 - -3}', {}, 8],
    ['${a - -b}', { a: 1, b: 2 }, 3],
    ['${a-b}', { a: 10, b: 3 }, 7],
    ['${a - (b - c)}', { a: 10, b: 5, c: 2 }, 7],
    ['${1e3 + 1}', {}, 1001],
    ['${1.5E-2 * 100}', {}, 1.5],
    ['${a < b == c}', { a: 1, b: 2, c: true }, true],
    ["${'it\\'s' == x}", { x: "it's" }, true],
    ["${x == 'line 1\nline 2'}", { x: 'line 1\nline 2' }, true],
    ['${x == "back\\\\slash"}', { x: 'back\\slash' }, true],
    // empty: null, "", an empty list or an empty map
    ['${empty x}', { x: null }, true],
    ['${empty x}', { x: '' }, true],
    ['${empty x}', { x: [] }, true],
    ['${empty x}', { x: 'a' }, false],
    ['${empty x}', { x: [1] }, false],
    ['${empty x}', { x: [null] }, false],
    ['${empty x}', { x: [''] }, false],
    ['${empty x}', { x: { a: 1 } }, false],
    ['${empty x}', { x: 0 }, false],
    ['${empty x}', { x: false }, false],
    ['${not empty x}', { x: 'a' }, true],
    ['${not empty x}', { x: null }, false],
    ['${empty order.lines}', { order: { lines: [] } }, true],
    // the 1-based Trellis loopCounter 1 is Camunda's 0
    ['${a[loopCounter]}', { a: ['x', 'y'], loopCounter: 1 }, 'x'],
    ['${loopCounter == 0}', { loopCounter: 1 }, true],
    // templates: EL turns null into ""
    ['Hello ${name}', { name: 'Nguyễn Văn An' }, 'Hello Nguyễn Văn An'],
    ['Hello ${name}', { name: null }, 'Hello '],
    [
      'Dear ${first}, you owe ${amount} (${paid})',
      { first: 'An', amount: 1500, paid: false },
      'Dear An, you owe 1500 (false)',
    ],
    ['\\${x} stays', { x: 1 }, '${x} stays'],
  ])('%s with %j is %j', (juel, variables, expected) => {
    // given
    const feel = feelOf(juel);
    // when
    const direct = evaluate(feel, variables).value;
    const engine = evaluateExpression(feel, variables).value;
    // then
    expect(direct).toEqual(expected);
    expect(engine).toEqual(expected);
  });

  // Where EL and FEEL part ways on purpose or by nature; pinned so a change is noticed. EL turns
  // null into false/0; FEEL keeps null, which a Trellis gateway reports as an incident.
  it.each<[string, Record<string, unknown>, unknown, unknown]>([
    ['${!approved}', { approved: null }, true, null],
    ['${amount > 1000}', { amount: null }, false, null],
    ['${a && b}', { a: true, b: null }, false, null],
    ['${amount + 1}', { amount: null }, 1, null],
    ['${x == 1}', { x: '1' }, true, null],
    ['${a % b}', { a: -7, b: 3 }, -1, 2],
    ['${7 / 0}', {}, Infinity, null],
  ])('%s with %j is %j in JUEL but %j in Trellis', (juel, variables, _inJuel, inTrellis) => {
    expect(evaluate(feelOf(juel), variables).value).toEqual(inTrellis);
  });

  // The engine evaluates against null-prototype copies of its data, which feelin does not take
  // for contexts (`instance of context`, `get value`, `= {}`); plain feelin gets EL's answer.
  it.each<[string, Record<string, unknown>, unknown, unknown]>([
    ['${empty x}', { x: {} }, true, false],
    ['${not empty x}', { x: {} }, false, true],
  ])(
    '%s with %j is %j in feelin but %j in the engine (sandbox hides contexts)',
    (juel, variables, inFeelin, inEngine) => {
      const feel = feelOf(juel);
      expect(evaluate(feel, variables).value).toEqual(inFeelin);
      expect(evaluateExpression(feel, variables).value).toEqual(inEngine);
    },
  );
});

describe('JUEL that is refused', () => {
  it.each([
    [
      "${execution.getVariable('x')}",
      /^method call "execution\.getVariable\(\.\.\.\)" cannot run in Trellis: read the variable directly \(x\)/,
    ],
    ['${myBean.doIt()}', /^method call "myBean\.doIt\(\.\.\.\)".*script task/],
    ['${dateTime().plusDays(2)}', /^method call "dateTime\(\)\.plusDays\(\.\.\.\)"/],
    ['${genderBean.getGenderString(gender)}', /^method call "genderBean\.getGenderString\(\.\.\.\)"/],
    ['${currentUser()}', /^function call "currentUser\(\.\.\.\)"/],
    ["${fn:contains(a, 'b')}", /^function call "fn:contains\(\.\.\.\)"/],
    ["${variables:get('x')}", /^function call "variables:get\(\.\.\.\)".*read the variable directly \(x\)/],
    ['${x = 5}', /"\$\{x = 5\}" is an assignment.*output mapping or a script task/],
    ['${x -> x + 1}', /lambda expression/],
    ['${a; b}', /chains several expressions with ";"/],
    ['${a += b}', /string concatenation "\+="/],
    ['${[1, 2]}', /list literal/],
    ["${{'a': 1}}", /set or map literal/],
    ['${task.assignee}', /^"task\.assignee" reads the engine object "task"/],
    ['${execution.processBusinessKey}', /^"execution\.processBusinessKey" reads the engine object "execution"/],
    ['${authenticatedUserId}', /engine object "authenticatedUserId".*process variable/],
    ["${task.assignee == 'lan'}", /"task\.assignee" reads the engine object "task"/],
    [
      '${content.output.form.amount}',
      /"content\.output\.form\.amount" reads bpmn-engine's activity content \("content\.output"\)/,
    ],
    ["${a['first name']}", /the key "first name" in "a\['first name'\]" is not a FEEL name.*rename the field/],
    ['${o.in}', /the key "in" in "o\.in" is a reserved word in FEEL/],
    ['${in > 1}', /variable "in" is a reserved word in FEEL.*rename the variable/],
    ['${for}', /variable "for" is a reserved word in FEEL/],
    ['${my$var}', /variable "my\$var" contains "\$"/],
    ['${a instanceof b}', /"instanceof".*FEEL "instance of"/],
    ['${a[i]}', /index "a\[i\]" by a computed value.*a\[i \+ 1\].*get value\(a, i\)/],
    ['${a[-1]}', /index "a\[-1\]" is negative/],
    ['${a[1.5]}', /index "a\[1\.5\]" is not a whole number/],
    ['${a} and #{b}', /mixes \$\{\.\.\.\} and #\{\.\.\.\}/],
    ["${'C:\\temp'}", /EL strings know only the escapes/],
    ['${}', /is empty/],
    ['${a +}', /JUEL syntax error at the end of the expression/],
    ['${a b}', /JUEL syntax error at character 5/],
    ['${a', /no closing "}"/],
    ['${a @ b}', /unexpected "@"/],
    [`\${${'a + '.repeat(600)}a}`, /2404 characters long; the limit is 2000/],
    [`\${${'('.repeat(40)}a${')'.repeat(40)}}`, /nested more than 32 levels/],
  ])('%s', (juel, reason) => {
    const result = juelToFeel(juel);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('isJuel', () => {
  it.each([
    ['${approved}', true],
    ['#{clarified}', true],
    ['Hello ${name}!', true],
    ['=approved', false],
    ['sales, finance', false],
    ['\\${not an expression}', false],
    ['costs $5 {each}', false],
  ])('%s → %s', (text, expected) => {
    expect(isJuel(text)).toBe(expected);
  });
});
