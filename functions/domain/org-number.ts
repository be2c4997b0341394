const WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;

/** Norwegian organisation number: nine digits, the last a modulus-11 check digit (weights 3,2,7,6,5,4,3,2). */
export function isValidOrgNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const digits = [...value].map(Number);
  const sum = WEIGHTS.reduce((total, weight, index) => total + weight * digits[index]!, 0);
  const remainder = sum % 11;
  // Stryker disable next-line ConditionalExpression: equivalent, without it the check digit 10 never equals a digit
  if (remainder === 1) return false; // check digit would be 10: no valid number
  const check = remainder === 0 ? 0 : 11 - remainder;
  return check === digits[8];
}
