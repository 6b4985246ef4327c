import { describe, expect, it } from 'vitest';
import { parseResources } from './resources-text.js';
import { resourcesModel, ResourcesModelSum } from './resources-model.js';
import { Resources } from './resources.js';

const parse = (text: string): Resources => {
  const parsed = parseResources(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

describe('ResourcesModelSum', () => {
  it('adds bags to the same model as adding them as Resources, exactly', () => {
    const bags = ['cpus:0.1;mem:32;ports:[31000-31001]', 'cpus:0.2;mem:32.5;ports:[31002-31005,31010-31010]', 'cpus(ops):0.7;disk:100;zones:{a,b}', 'cpus:0.3;zones:{b,c};gpus:1'].map(parse);
    const sum = new ResourcesModelSum();
    let added = bags[0]!;
    for (const bag of bags) sum.add(bag);
    for (const bag of bags.slice(1)) added = added.add(bag);
    expect(sum.model()).toEqual(resourcesModel(added));
    expect(sum.model()['cpus']).toBe(1.3); // 0.1 + 0.2 + 0.7 + 0.3 without floating-point drift
    expect(sum.model()['ports']).toBe('[31000-31005,31010-31010]');
  });

  it('Resources.sum equals adding the bags one by one', () => {
    const bags = ['cpus:0.1;mem:32;ports:[31000-31001]', 'cpus(ops):0.2;mem:32.5', 'cpus:0.7;disk:100;zones:{a,b}', 'cpus(ops):0.3;zones:{b,c};gpus:1'].map(parse);
    let added = bags[0]!;
    for (const bag of bags.slice(1)) added = added.add(bag);
    expect(Resources.sum(bags).equals(added)).toBe(true);
    expect(Resources.sum([]).isEmpty()).toBe(true);
  });

  it('plus combines two sums without changing either', () => {
    const a = new ResourcesModelSum().add(parse('cpus:1;ports:[1-2]'));
    const b = new ResourcesModelSum().add(parse('cpus:2;mem:5;ports:[3-4]'));
    expect(a.plus(b).model()).toMatchObject({ cpus: 3, mem: 5, ports: '[1-4]' });
    expect(a.model()).toMatchObject({ cpus: 1, mem: 0 });
    expect(new ResourcesModelSum().model()).toEqual({ cpus: 0, mem: 0, disk: 0, gpus: 0 });
  });

  it('json() is the model as JSON, with and without resources other than the four scalars', () => {
    const plain = new ResourcesModelSum().add(parse('cpus:0.1;mem:512')).add(parse('cpus:0.2;disk:1.5;gpus:1'));
    expect(plain.json()).toBe(JSON.stringify(plain.model()));
    expect(plain.json()).toBe('{"cpus":0.3,"mem":512,"disk":1.5,"gpus":1}');
    const mixed = new ResourcesModelSum().add(parse('cpus:1;ports:[1-2];zones:{a};bandwidth:10'));
    expect(mixed.json()).toBe(JSON.stringify(mixed.model()));
    expect(JSON.parse(mixed.json())).toEqual({ cpus: 1, mem: 0, disk: 0, gpus: 0, bandwidth: 10, ports: '[1-2]', zones: '{a}' });
    expect(new ResourcesModelSum().json()).toBe('{"cpus":0,"mem":0,"disk":0,"gpus":0}');
  });
});
